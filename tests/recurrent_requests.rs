//! Recurrent requests and their schedules against the sandbox.

mod common;

use common::recorder::{self, Recorder};
use futures::TryStreamExt;
use serde_json::json;
use std::time::Duration;
use unitysvc::open_enums::RecurrentRequestStatusEnum as Status;
use unitysvc::recurrent_requests::{CreateRecurrentRequest, RecurrentRequests};
use unitysvc::{ErrorKind, Schedule};
use unitysvc_sandbox::catalog;

fn request(rr: &RecurrentRequests, path: &str) -> CreateRecurrentRequest {
    rr.create(path).method("POST").name("nightly")
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
    let created = request(&rr, &format!("p/{svc}/echo"))
        .service_id(svc.as_str())
        .send()
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
        .set_schedule(id, Schedule::Interval { seconds: 0 })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = anon
        .recurrent_requests()
        .set_schedule(id, Schedule::cron(""))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn update_sends_only_the_fields_set() {
    let (_sb, client) = common::start().await;
    let rr = client.recurrent_requests();
    let created = request(&rr, "p/x/echo")
        .body_template(json!({"a": 1}))
        .send()
        .await
        .unwrap();
    let updated = rr.update(created.id).name("renamed").send().await.unwrap();
    assert_eq!(updated.name.as_deref(), Some("renamed"));
    assert_eq!(
        updated.body_template, created.body_template,
        "untouched fields stay"
    );
    assert_eq!(updated.request_path, "p/x/echo");

    let paused = rr
        .update(created.id)
        .status(Status::Paused)
        .send()
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
        let mut body = request(&rr, &format!("p/{svc}/echo/{i}"));
        if i == 0 {
            body = body.service_id(svc.as_str());
        }
        ids.push(body.send().await.unwrap().id);
    }
    rr.set_schedule(ids[1], Schedule::every(Duration::from_secs(30)))
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

    let all: Vec<_> = rr.list().limit(1).stream().try_collect().await.unwrap();
    assert_eq!(all.len(), 3);
    let all: Vec<_> = rr.list().stream().try_collect().await.unwrap();
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
    let created = request(&rr, &format!("p/{svc}/echo")).send().await.unwrap();
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
    let created = request(&rr, "p/x/echo").send().await.unwrap();
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
    let created = request(&rr, "p/x/echo").send().await.unwrap();
    let err = rr
        .set_schedule(created.id, Schedule::cron("not cron"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation, "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422));
    assert!(
        err.to_string().contains("schedule"),
        "the detail names the field: {err}"
    );
}

#[tokio::test]
async fn update_sends_only_the_fields_set_on_the_wire() {
    let (_sb, recorder, client) = recorder::sandbox().await;
    let rr = client.recurrent_requests();
    let created = request(&rr, "p/x/echo").send().await.unwrap();
    recorder.clear();
    rr.update(created.id)
        .name("renamed")
        .header("x-team", "ops")
        .send()
        .await
        .unwrap();
    assert_eq!(
        recorder.requests()[0].json(),
        json!({"name": "renamed", "request_headers": {"x-team": "ops"}})
    );
}

#[tokio::test]
async fn schedules_take_any_serializable_object_and_bad_ones_fail_before_sending() {
    let (_sb, recorder, client) = recorder::sandbox().await;
    let rr = client.recurrent_requests();
    let created = request(&rr, "p/x/echo").send().await.unwrap();
    let raw = json!({"schedule_type": "interval", "interval_seconds": 120});
    let scheduled = rr.set_schedule(created.id, &raw).await.unwrap();
    assert_eq!(scheduled.schedule, raw.as_object().cloned());
    assert_eq!(
        Schedule::from_record(&scheduled),
        Some(Schedule::every(Duration::from_secs(120)))
    );

    recorder.clear();
    let zero = json!({"schedule_type": "interval", "interval_seconds": 0});
    for bad in [zero, json!("hourly"), json!(null)] {
        let err = rr.set_schedule(created.id, &bad).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}: {err}");
    }
    let err = request(&rr, "p/x/echo")
        .body_template([1, 2, 3])
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let err = request(&rr, "p/x/echo")
        .name("n".repeat(201))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(recorder.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn service_schedule_records_an_enrollment_only_when_the_caller_chose_one() {
    let (_sb, recorder, client) = recorder::sandbox().await;
    let service = common::service(&client, catalog::BYOK_SERVICE).await;
    let enrollment = service
        .enroll()
        .parameters(json!({"api_key": "sk-test"}))
        .send()
        .await
        .unwrap()
        .wait_active(Duration::from_secs(10))
        .await
        .unwrap();
    let interfaces = service.interfaces().send().await.unwrap();
    assert!(
        interfaces
            .iter()
            .any(|i| i.enrollment_id == Some(enrollment.id)),
        "the enrollment-bound interface is the one picked by default: {interfaces:?}"
    );

    let creates = |recorder: &Recorder| -> Vec<serde_json::Value> {
        recorder
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.target.starts_with("/v1/recurrent-requests"))
            .map(|r| r.json())
            .collect()
    };
    recorder.clear();
    let unchosen = service
        .schedule(Schedule::every(Duration::from_secs(60)))
        .path("echo")
        .send()
        .await
        .unwrap();
    let sent = creates(&recorder);
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].get("enrollment_id").is_none(),
        "no enrollment chosen, none sent: {}",
        sent[0]
    );
    assert_eq!(unchosen.enrollment_id, None);

    recorder.clear();
    let chosen = service
        .schedule(json!({"schedule_type": "interval", "interval_seconds": 60}))
        .enrollment(enrollment.id)
        .path("echo")
        .json(json!({"ping": true}))
        .send()
        .await
        .unwrap();
    let sent = creates(&recorder);
    assert_eq!(sent[0]["enrollment_id"], json!(enrollment.id));
    assert_eq!(sent[0]["body_template"], json!({"ping": true}));
    assert_eq!(chosen.enrollment_id, Some(enrollment.id));
}

#[tokio::test]
async fn service_schedule_rejects_bad_input_before_sending() {
    let (_sb, recorder, client) = recorder::sandbox().await;
    let services = client.services();
    let id = catalog::service_id(catalog::SIMPLE_SERVICE);
    let err = services
        .schedule(id, Schedule::Interval { seconds: 0 })
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let err = services
        .schedule(id, Schedule::cron("0 * * * *"))
        .json(json!(["not", "an", "object"]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let err = services
        .schedule(id, Schedule::cron("0 * * * *"))
        .enrollment("not-a-uuid")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(recorder.requests().is_empty(), "nothing was sent");
}
