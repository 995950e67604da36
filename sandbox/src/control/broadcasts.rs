//! Broadcasts: targets the gateway fans one request out to.

use super::{ok, owned, reply, to_json};
use crate::auth;
use crate::errors::{ApiError, ApiResult};
use crate::state::{now, AppState, Broadcast, BroadcastTarget};
use crate::validate::{body_object, path_uuid, Obj, Query};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde_json::Value;
use uuid::Uuid;

fn target_from(b: &Obj, broadcast_id: Uuid) -> ApiResult<BroadcastTarget> {
    b.refuse_nulls("BroadcastTargetCreate")?;
    Ok(BroadcastTarget {
        id: Uuid::new_v4(),
        broadcast_id,
        name: b.req_str("name", Some(64))?,
        target_path: b.req_str("target_path", Some(500))?,
        routing_key_override: b.opt_obj("routing_key_override")?.map(Value::Object),
        sort_order: b.opt_int("sort_order")?.unwrap_or(0),
    })
}

impl owned::Parent for Broadcast {
    type Child = BroadcastTarget;
    const CHILD_KIND: &'static str = "Target";
    const CHILD_PARAM: &'static str = "target_id";
    fn children(&mut self) -> &mut Vec<BroadcastTarget> {
        &mut self.targets
    }
    fn child_from(body: &Obj, parent: Uuid) -> ApiResult<BroadcastTarget> {
        target_from(body, parent)
    }
    fn child_id(child: &BroadcastTarget) -> Uuid {
        child.id
    }
    fn child_order(child: &BroadcastTarget) -> i64 {
        child.sort_order
    }
    fn touch(&mut self) {
        self.updated_at = Some(now());
    }
}

/// POST /broadcasts/
pub async fn create(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let shared = Query::parse(q.as_deref()).bool("shared", false)?;
    let b = body_object(&body)?;
    b.refuse_nulls("BroadcastCreate")?;
    let id = Uuid::new_v4();
    let name = b.req_str("name", Some(64))?;
    let description = b.opt_str("description", Some(500))?;
    let mode = b
        .opt_choice("mode", &["sync", "async"])?
        .unwrap_or_else(|| "sync".into());
    let target_timeout_ms = b.opt_int("target_timeout_ms")?.unwrap_or(30000);
    let enabled = b.opt_bool("enabled")?.unwrap_or(true);
    let mut targets = b
        .opt_objects("targets")?
        .unwrap_or_default()
        .iter()
        .map(|t| target_from(t, id))
        .collect::<ApiResult<Vec<_>>>()?;
    owned::sort_children::<Broadcast>(&mut targets);
    let mut db = st.db();
    if db
        .broadcasts
        .iter()
        .any(|x| x.customer_id == caller.id && x.name == name)
    {
        return Err(ApiError::Conflict(format!(
            "Broadcast '{name}' already exists"
        )));
    }
    let x = Broadcast {
        id,
        customer_id: caller.id,
        owner_id: if shared { None } else { Some(caller.user_id) },
        name,
        description,
        mode,
        target_timeout_ms,
        enabled,
        details: None,
        created_at: now(),
        updated_at: None,
        targets,
    };
    let out = to_json(&x);
    db.broadcasts.push(x);
    Ok(reply(StatusCode::CREATED, out))
}

/// PATCH /broadcasts/{broadcast_id}
pub async fn update(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    path_uuid("broadcast_id", &id)?;
    let b = body_object(&body)?;
    let description = b.opt_str("description", Some(500))?;
    let mode = b.opt_choice("mode", &["sync", "async"])?;
    let timeout = b.opt_int("target_timeout_ms")?;
    let enabled = b.opt_bool("enabled")?;
    let mut db = st.db();
    let x = owned::find::<Broadcast>(&mut db, caller.id, &id)?;
    if b.has("description") {
        x.description = description;
    }
    if let Some(m) = mode {
        x.mode = m;
    }
    if let Some(t) = timeout {
        x.target_timeout_ms = t;
    }
    if let Some(e) = enabled {
        x.enabled = e;
    }
    x.updated_at = Some(now());
    Ok(ok(to_json(x)))
}
