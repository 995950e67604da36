//! Recurrent (scheduled) requests and their manual trigger.

use super::{ok, owned, reply, to_json};
use crate::auth;
use crate::errors::{loc, ApiError, ApiResult};
use crate::gateway::{self, Call};
use crate::state::{now, AppState, Recurrent};
use crate::validate::{body_object, path_uuid, Obj, Query};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};
use uuid::Uuid;

const STATUSES: [&str; 4] = ["draft", "active", "paused", "cancelled"];

fn schedule_error(msg: &str, input: Value) -> ApiError {
    ApiError::invalid(
        "value_error",
        loc(&["body", "schedule"]),
        &format!("Value error, {msg}"),
        input,
    )
}

fn check_schedule(s: &Map<String, Value>) -> ApiResult<()> {
    let whole = Value::Object(s.clone());
    match s.get("schedule_type").and_then(Value::as_str) {
        Some("interval") => match s.get("interval_seconds").and_then(Value::as_i64) {
            Some(n) if n >= 1 => Ok(()),
            _ => Err(schedule_error(
                "interval_seconds must be a positive integer",
                whole,
            )),
        },
        Some("cron") => {
            let expr = s
                .get("cron_expression")
                .and_then(Value::as_str)
                .unwrap_or("");
            let fields = expr.split_whitespace().count();
            if !(5..=6).contains(&fields) {
                return Err(schedule_error("cron_expression must have 5 fields", whole));
            }
            match s.get("timezone") {
                None | Some(Value::Null) | Some(Value::String(_)) => Ok(()),
                Some(_) => Err(schedule_error("timezone must be a string", whole)),
            }
        }
        _ => Err(schedule_error(
            "schedule_type must be 'interval' or 'cron'",
            whole,
        )),
    }
}

fn fmt_time() -> String {
    now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// POST /recurrent-requests/
pub async fn create(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let b = body_object(&body)?;
    b.refuse_nulls("RecurrentRequestCreate")?;
    let r = Recurrent {
        id: Uuid::new_v4(),
        status: "draft".into(),
        customer_id: caller.id,
        service_id: b.opt_uuid("service_id")?,
        enrollment_id: b.opt_uuid("enrollment_id")?,
        request_path: b.req_str("request_path", None)?,
        http_method: b
            .opt_str("http_method", None)?
            .unwrap_or_else(|| "POST".into()),
        body_template: b.opt_obj("body_template")?.map(Value::Object),
        // Headers carry credentials (Authorization), so their errors never echo the input.
        request_headers: b
            .opt_str_map("request_headers")
            .map_err(ApiError::without_input)?
            .map(Value::Object),
        schedule: None,
        state: None,
        name: b.opt_str("name", Some(200))?,
        created_at: fmt_time(),
        updated_at: None,
    };
    if Method::from_bytes(r.http_method.to_uppercase().as_bytes()).is_err() {
        return Err(ApiError::invalid(
            "value_error",
            loc(&["body", "http_method"]),
            "Value error, invalid HTTP method",
            json!(r.http_method),
        ));
    }
    let out = to_json(&r);
    st.db().recurrent.push(r);
    Ok(reply(StatusCode::CREATED, out))
}

/// GET /recurrent-requests/
pub async fn list(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let q = Query::parse(q.as_deref());
    let service_id = q.uuid("service_id")?;
    let enrollment_id = q.uuid("enrollment_id")?;
    let status = match q.get("status") {
        None => None,
        Some(s) => Some(q.choice("status", &STATUSES, s)?),
    };
    let skip = q.int("skip", 0, Some(0), None)?;
    let limit = q.int("limit", 100, Some(1), Some(1000))?;
    let db = st.db();
    let all: Vec<&Recurrent> = db
        .recurrent
        .iter()
        .filter(|r| r.customer_id == caller.id)
        .filter(|r| service_id.is_none() || r.service_id == service_id)
        .filter(|r| enrollment_id.is_none() || r.enrollment_id == enrollment_id)
        .filter(|r| status.as_ref().is_none_or(|s| &r.status == s))
        .collect();
    Ok(owned::data_page(&all, skip, limit))
}

fn apply_update(r: &mut Recurrent, b: &Obj) -> ApiResult<()> {
    let path = b.opt_str("request_path", None)?;
    let body_template = b.opt_obj("body_template")?;
    // Headers carry credentials (Authorization), so their errors never echo the input.
    let request_headers = b
        .opt_str_map("request_headers")
        .map_err(ApiError::without_input)?;
    let schedule = b.opt_obj("schedule")?;
    let name = b.opt_str("name", None)?;
    let status = b.opt_choice("status", &STATUSES)?;
    if let Some(s) = &schedule {
        check_schedule(s)?;
    }
    if let Some(p) = path {
        r.request_path = p;
    }
    if b.has("body_template") {
        r.body_template = body_template.map(Value::Object);
    }
    if b.has("request_headers") {
        r.request_headers = request_headers.map(Value::Object);
    }
    if b.has("name") {
        r.name = name;
    }
    if b.has("schedule") {
        let had_none = r.schedule.is_none();
        r.schedule = schedule.map(Value::Object);
        // A draft gets going once it has somewhere in time to run, as on the platform.
        if had_none && r.schedule.is_some() && r.status == "draft" && status.is_none() {
            r.status = "active".into();
        }
    }
    if let Some(s) = status {
        r.status = s;
    }
    r.updated_at = Some(fmt_time());
    Ok(())
}

/// PATCH /recurrent-requests/{request_id}
pub async fn update(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    path_uuid("request_id", &id)?;
    let b = body_object(&body)?;
    let mut db = st.db();
    let r = owned::find::<Recurrent>(&mut db, caller.id, &id)?;
    apply_update(r, &b)?;
    Ok(ok(to_json(r)))
}

/// DELETE /recurrent-requests/{request_id}
pub async fn remove(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let mut db = st.db();
    owned::remove::<Recurrent>(&mut db, caller.id, &id)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Turns a stored request path into a gateway path plus query, if it targets this sandbox.
fn gateway_target(root: &str, path: &str) -> Option<String> {
    if let Some(rest) = path.strip_prefix(root) {
        return Some(rest.to_string());
    }
    if path.contains("://") {
        return None;
    }
    Some(format!("/{}", path.trim_start_matches('/')))
}

/// POST /recurrent-requests/{request_id}/trigger
pub async fn trigger(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let rec = {
        let mut db = st.db();
        owned::find::<Recurrent>(&mut db, caller.id, &id)?.clone()
    };
    let started = Instant::now();
    let fired_at = fmt_time();
    let (code, preview) = match gateway_target(&st.gateway_root, &rec.request_path) {
        None => (502u16, json!("request_path points outside this sandbox")),
        Some(target) => {
            let mut hdrs = HeaderMap::new();
            if let Some(Value::Object(m)) = &rec.request_headers {
                for (k, v) in m {
                    let name = HeaderName::from_bytes(k.as_bytes());
                    let val = HeaderValue::from_str(v.as_str().unwrap_or_default());
                    if let (Ok(n), Ok(v)) = (name, val) {
                        hdrs.insert(n, v);
                    }
                }
            }
            hdrs.insert("content-type", HeaderValue::from_static("application/json"));
            let body = rec
                .body_template
                .as_ref()
                .map(|b| Bytes::from(b.to_string()))
                .unwrap_or_default();
            let call = Call {
                customer: caller,
                method: Method::from_bytes(rec.http_method.to_uppercase().as_bytes())
                    .unwrap_or(Method::POST),
                target,
                headers: hdrs,
                body,
                recurrent_id: Some(rec.id),
            };
            let resp = gateway::execute(st.clone(), call).await;
            let code = resp.status().as_u16();
            let fut = axum::body::to_bytes(resp.into_body(), 64 * 1024);
            let bytes = tokio::time::timeout(Duration::from_secs(10), fut)
                .await
                .ok()
                .and_then(Result::ok);
            let text = bytes.map(|b| {
                String::from_utf8_lossy(&b)
                    .chars()
                    .take(500)
                    .collect::<String>()
            });
            (code, json!(text))
        }
    };
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut db = st.db();
    let runs = if let Some(r) = db.recurrent.iter_mut().find(|r| r.id == rec.id) {
        let prev = r
            .state
            .as_ref()
            .and_then(|s| s.get("run_count"))
            .and_then(Value::as_i64)
            .unwrap_or(0);
        r.state = Some(json!({
            "last_run_at": fired_at, "last_status_code": code, "run_count": prev + 1,
            "last_duration_ms": duration_ms,
        }));
        prev + 1
    } else {
        0
    };
    Ok(ok(json!({
        "id": rec.id, "triggered": true, "fired_at": fired_at, "status_code": code,
        "duration_ms": duration_ms, "run_count": runs, "response_preview": preview,
    })))
}
