//! Per-customer gateway request logging and its log rows.

use super::ok;
use crate::auth;
use crate::errors::{ApiError, ApiResult};
use crate::state::{now, AppState, LogRow};
use crate::validate::{path_uuid, Query};
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::Duration;
use serde_json::{json, Value};

fn opt_id<T: ToString>(v: Option<T>) -> Value {
    v.map(|x| Value::from(x.to_string())).unwrap_or(Value::Null)
}

fn item(r: &LogRow) -> Value {
    json!({
        "log_id": r.id.to_string(), "event_id": r.id.to_string(), "event_timestamp": r.at.to_rfc3339(),
        "gateway_source": "apisix", "customer_id": r.customer_id.to_string(),
        "service_id": opt_id(r.service_id), "service_enrollment_id": opt_id(r.enrollment_id),
        "user_request_method": r.method, "user_request_path": r.path,
        "upstream_response_status_code": r.status, "upstream_response_time_ms": r.duration_ms,
        "error_source": r.error_source, "error_type": r.error_type,
        "recurrent_request_id": opt_id(r.recurrent_request_id),
    })
}

fn detail(r: &LogRow) -> Value {
    let usage = (r.status < 400).then(|| {
        json!({"customer_charge": "0.000100", "usage_metrics": json!({"requests": 1}).to_string()})
    });
    let error = r
        .error_type
        .as_ref()
        .map(|t| json!({"category": t, "request_id": r.id.to_string()}));
    json!({
        "log_id": r.id.to_string(), "event_id": r.id.to_string(), "event_timestamp": r.at.to_rfc3339(),
        "gateway_source": "apisix", "customer_id": r.customer_id.to_string(), "user_id": r.user_id.to_string(),
        "service_id": opt_id(r.service_id), "service_enrollment_id": opt_id(r.enrollment_id),
        "user_request": {"method": r.method, "path": r.path, "headers": r.request_headers,
                         "body": r.request_body, "content_type": r.content_type},
        "upstream_response": {"status_code": r.status, "headers": r.response_headers,
                              "body": r.response_body, "time_ms": r.duration_ms},
        "usage_event": usage,
        "recurrent_request_id": opt_id(r.recurrent_request_id),
        "error": error,
    })
}

/// GET /request-logs
pub async fn list(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let q = Query::parse(q.as_deref());
    let skip = q.int("skip", 0, Some(0), None)?;
    let limit = q.int("limit", 50, Some(1), Some(200))?;
    let service_id = q.uuid("service_id")?;
    let enrollment_id = q.uuid("service_enrollment_id")?;
    let status_min = q.opt_int("status_min", Some(100), Some(599))?;
    let status_max = q.opt_int("status_max", Some(100), Some(599))?;
    let mut start = q.datetime("start_time")?;
    let end = q.datetime("end_time")?;
    let path = q.string("user_request_path");
    let error_source = q.string("error_source");
    let error_type = q.string("error_type");
    let gateway_source = q.string("gateway_source");
    let recurrent = q.uuid("recurrent_request_id")?;
    if start.is_none() && end.is_none() {
        start = Some(now() - Duration::hours(24));
    }
    let db = st.db();
    let mut rows: Vec<&LogRow> = db
        .logs
        .iter()
        .filter(|r| r.customer_id == caller.id)
        .filter(|r| service_id.is_none() || r.service_id == service_id)
        .filter(|r| enrollment_id.is_none() || r.enrollment_id == enrollment_id)
        .filter(|r| status_min.is_none_or(|m| i64::from(r.status) >= m))
        .filter(|r| status_max.is_none_or(|m| i64::from(r.status) <= m))
        .filter(|r| start.is_none_or(|s| r.at >= s) && end.is_none_or(|e| r.at <= e))
        .filter(|r| {
            path.as_ref().is_none_or(|p| {
                r.path.starts_with(p.as_str())
                    || r.path
                        .trim_start_matches('/')
                        .starts_with(p.trim_start_matches('/'))
            })
        })
        .filter(|r| error_source.is_none() || r.error_source == error_source)
        .filter(|r| error_type.is_none() || r.error_type == error_type)
        .filter(|_| gateway_source.as_deref().is_none_or(|g| g == "apisix"))
        .filter(|r| recurrent.is_none() || r.recurrent_request_id == recurrent)
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.at));
    let total = rows.len();
    let items: Vec<Value> = super::page(&rows, skip, limit)
        .into_iter()
        .map(item)
        .collect();
    Ok(ok(
        json!({"total_count": total, "skip": skip, "limit": limit, "items": items}),
    ))
}

/// POST /request-logs/start
pub async fn start(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let truncate = Query::parse(q.as_deref()).opt_bool("truncate_long_message")?;
    let mut db = st.db();
    let mode = match truncate {
        Some(true) => "truncated".to_string(),
        Some(false) => "complete".to_string(),
        None => db
            .logging
            .get(&caller.id)
            .cloned()
            .unwrap_or_else(|| "truncated".into()),
    };
    db.logging.insert(caller.id, mode);
    Ok(ok(json!({"enabled": true})))
}

/// POST /request-logs/stop
pub async fn stop(State(st): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    st.db().logging.remove(&caller.id);
    Ok(ok(json!({"enabled": false})))
}

/// GET /request-logs/{log_id}
pub async fn get_one(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let id = path_uuid("log_id", &id)?;
    let db = st.db();
    db.logs
        .iter()
        .find(|r| r.id == id && r.customer_id == caller.id)
        .map(|r| ok(detail(r)))
        .ok_or_else(|| ApiError::not_found("Request log"))
}
