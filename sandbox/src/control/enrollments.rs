//! Service enrollments, which turn active shortly after creation.

use super::services::{detail_json, service_base};
use super::{ok, page, reply};
use crate::auth;
use crate::errors::{loc, ApiError, ApiResult};
use crate::limits::check_parameters;
use crate::state::{now, AppState, Db, Enrollment};
use crate::validate::{body_object, path_uuid, Query};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use chrono::Duration;
use serde_json::{json, Value};
use uuid::Uuid;

/// Milliseconds an enrollment stays `pending` before turning `active`.
pub const ACTIVATION_MS: i64 = 300;

fn render(db: &Db, root: &str, e: &Enrollment, with_service: bool) -> Value {
    let service = if with_service {
        db.service(e.service_id).map(detail_json)
    } else {
        None
    };
    json!({
        "id": e.id, "service_id": e.service_id, "owner_id": e.owner_id, "status": e.status(),
        "parameters": e.parameters, "created_at": e.created_at, "updated_at": e.updated_at(),
        "service": service, "proxy_endpoint": service_base(root, e.service_id), "code": null,
    })
}

/// POST /enrollments/
pub async fn create(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let shared = Query::parse(q.as_deref()).bool("shared", false)?;
    let b = body_object(&body)?;
    let service_id = b.req_uuid("service_id")?;
    b.opt_choice(
        "status",
        &["pending", "incomplete", "active", "paused", "cancelled"],
    )?;
    // Parameters may hold credentials (BYOK keys), so their errors never echo the input.
    let parameters = b
        .opt_obj("parameters")
        .map_err(ApiError::without_input)?
        .map(Value::Object);
    if let Some(p) = &parameters {
        check_parameters(p, &st.limits).map_err(|shape| {
            ApiError::invalid_unechoed(
                "value_error",
                loc(&["body", "parameters"]),
                &shape.message("parameters"),
            )
        })?;
    }
    b.opt_obj("recurrence_schedule")?;
    let mut db = st.db();
    if db.service(service_id).is_none() {
        return Err(ApiError::not_found("Service"));
    }
    let t = now();
    let e = Enrollment {
        id: Uuid::new_v4(),
        service_id,
        customer_id: caller.id,
        owner_id: if shared { None } else { Some(caller.user_id) },
        parameters,
        created_at: t,
        activate_at: t + Duration::milliseconds(ACTIVATION_MS),
        cancelled_at: None,
        forced_status: None,
    };
    let out = json!({
        "id": e.id, "service_id": e.service_id, "owner_id": e.owner_id, "status": "pending",
        "task_id": Uuid::new_v4().to_string(), "message": "Enrollment accepted; provisioning in progress",
    });
    db.enrollments.push(e);
    Ok(reply(StatusCode::ACCEPTED, out))
}

/// GET /enrollments/
pub async fn list(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let q = Query::parse(q.as_deref());
    let skip = q.int("skip", 0, None, None)?;
    let limit = q.int("limit", 100, None, None)?;
    let with_service = q.bool("include_service_details", true)?;
    let shared = q.bool("shared", true)?;
    let db = st.db();
    let mine: Vec<&Enrollment> = db
        .enrollments
        .iter()
        .filter(|e| e.customer_id == caller.id && (shared || e.owner_id.is_some()))
        .collect();
    let data: Vec<Value> = page(&mine, skip, limit)
        .into_iter()
        .map(|e| render(&db, &st.gateway_root, e, with_service))
        .collect();
    Ok(ok(
        json!({"data": data, "count": mine.len(), "skip": skip, "limit": limit}),
    ))
}

/// GET /enrollments/{enrollment_id}
pub async fn get_one(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let id = path_uuid("enrollment_id", &id)?;
    let with_service = Query::parse(q.as_deref()).bool("include_service_details", true)?;
    let db = st.db();
    let e = db
        .enrollments
        .iter()
        .find(|e| e.id == id && e.customer_id == caller.id)
        .ok_or_else(|| ApiError::not_found("Enrollment"))?;
    Ok(ok(render(&db, &st.gateway_root, e, with_service)))
}

/// DELETE /enrollments/{enrollment_id}
pub async fn cancel(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let id = path_uuid("enrollment_id", &id)?;
    let mut db = st.db();
    let e = db
        .enrollments
        .iter_mut()
        .find(|e| e.id == id && e.customer_id == caller.id)
        .ok_or_else(|| ApiError::not_found("Enrollment"))?;
    e.cancelled_at.get_or_insert_with(now);
    Ok(ok(
        json!({"enrollment_id": e.id, "status": "cancelled", "message": "Enrollment cancelled"}),
    ))
}
