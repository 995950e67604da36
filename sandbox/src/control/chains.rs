//! Chains: ordered steps tried one after another by the gateway.

use super::{ok, owned, reply, to_json};
use crate::auth;
use crate::errors::{ApiError, ApiResult};
use crate::state::{now, AppState, Chain, ChainStep};
use crate::validate::{body_object, path_uuid, Obj, Query};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use uuid::Uuid;

fn step_from(b: &Obj, chain_id: Uuid) -> ApiResult<ChainStep> {
    b.refuse_nulls("ChainStepCreate")?;
    Ok(ChainStep {
        id: Uuid::new_v4(),
        chain_id,
        name: b.req_str("name", Some(64))?,
        target_path: b.req_str("target_path", Some(500))?,
        on_success: b
            .opt_str("on_success", None)?
            .unwrap_or_else(|| "stop".into()),
        on_failure: b
            .opt_str("on_failure", None)?
            .unwrap_or_else(|| "relay".into()),
        timeout_ms: b.opt_int("timeout_ms")?,
        sort_order: b.req_int("sort_order")?,
    })
}

impl owned::Parent for Chain {
    type Child = ChainStep;
    const CHILD_KIND: &'static str = "Step";
    const CHILD_PARAM: &'static str = "step_id";
    fn children(&mut self) -> &mut Vec<ChainStep> {
        &mut self.steps
    }
    fn child_from(body: &Obj, parent: Uuid) -> ApiResult<ChainStep> {
        step_from(body, parent)
    }
    fn child_id(child: &ChainStep) -> Uuid {
        child.id
    }
    fn child_order(child: &ChainStep) -> i64 {
        child.sort_order
    }
    fn touch(&mut self) {
        self.updated_at = Some(now());
    }
}

/// POST /chains/
pub async fn create(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let shared = Query::parse(q.as_deref()).bool("shared", false)?;
    let b = body_object(&body)?;
    b.refuse_nulls("ChainCreate")?;
    let id = Uuid::new_v4();
    let name = b.req_str("name", Some(64))?;
    let description = b.opt_str("description", Some(500))?;
    let default_timeout_ms = b.opt_int("default_timeout_ms")?.unwrap_or(10000);
    let enabled = b.opt_bool("enabled")?.unwrap_or(true);
    let mut steps = b
        .opt_objects("steps")?
        .unwrap_or_default()
        .iter()
        .map(|s| step_from(s, id))
        .collect::<ApiResult<Vec<_>>>()?;
    owned::sort_children::<Chain>(&mut steps);
    let mut db = st.db();
    if db
        .chains
        .iter()
        .any(|c| c.customer_id == caller.id && c.name == name)
    {
        return Err(ApiError::Conflict(format!("Chain '{name}' already exists")));
    }
    let c = Chain {
        id,
        customer_id: caller.id,
        owner_id: if shared { None } else { Some(caller.user_id) },
        name,
        description,
        default_timeout_ms,
        enabled,
        details: None,
        created_at: now(),
        updated_at: None,
        steps,
    };
    let out = to_json(&c);
    db.chains.push(c);
    Ok(reply(StatusCode::CREATED, out))
}

/// PATCH /chains/{chain_id}
pub async fn update(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    path_uuid("chain_id", &id)?;
    let b = body_object(&body)?;
    let description = b.opt_str("description", Some(500))?;
    let timeout = b.opt_int("default_timeout_ms")?;
    let enabled = b.opt_bool("enabled")?;
    let mut db = st.db();
    let c = owned::find::<Chain>(&mut db, caller.id, &id)?;
    if b.has("description") {
        c.description = description;
    }
    if let Some(t) = timeout {
        c.default_timeout_ms = t;
    }
    if let Some(e) = enabled {
        c.enabled = e;
    }
    c.updated_at = Some(now());
    Ok(ok(to_json(c)))
}

/// PATCH /chains/{chain_id}/steps/{step_id}
pub async fn update_step(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, step)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    path_uuid("chain_id", &id)?;
    let sid = path_uuid("step_id", &step)?;
    let b = body_object(&body)?;
    let name = b.opt_str("name", Some(64))?;
    let target = b.opt_str("target_path", Some(500))?;
    let on_success = b.opt_str("on_success", None)?;
    let on_failure = b.opt_str("on_failure", None)?;
    let timeout = b.opt_int("timeout_ms")?;
    let sort_order = b.opt_int("sort_order")?;
    let mut db = st.db();
    let c = owned::find::<Chain>(&mut db, caller.id, &id)?;
    let s = c
        .steps
        .iter_mut()
        .find(|s| s.id == sid)
        .ok_or_else(|| ApiError::not_found("Step"))?;
    if let Some(v) = name {
        s.name = v;
    }
    if let Some(v) = target {
        s.target_path = v;
    }
    if let Some(v) = on_success {
        s.on_success = v;
    }
    if let Some(v) = on_failure {
        s.on_failure = v;
    }
    if b.has("timeout_ms") {
        s.timeout_ms = timeout;
    }
    if let Some(v) = sort_order {
        s.sort_order = v;
    }
    let out = to_json(s);
    owned::sort_children::<Chain>(&mut c.steps);
    Ok(ok(out))
}
