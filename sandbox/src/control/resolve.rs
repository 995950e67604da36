//! Dry-run resolution of a gateway path to candidate services.

use super::ok;
use crate::auth;
use crate::errors::ApiResult;
use crate::routing;
use crate::state::AppState;
use crate::validate::body_object;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use serde_json::{json, Value};

/// POST /resolve
pub async fn resolve(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let b = body_object(&body)?;
    b.refuse_nulls("ResolveRequest")?;
    let path = b.req_str("path", None)?;
    let routing_key = b.opt_obj("routing_key")?;
    let strategy = b.opt_str("strategy", None)?;
    b.opt_choice("gateway", &["api", "s3", "smtp"])?;
    let db = st.db();
    let target = routing::parse(&path)?;
    let candidates = routing::candidates(&db, &caller, &target, routing_key.as_ref(), 0)?;
    let rendered: Vec<Value> = candidates.iter().map(|c| c.to_json(&db)).collect();
    let selected = rendered.first().cloned();
    Ok(ok(json!({
        "candidates": rendered,
        "routing_strategy": {"strategy": strategy.unwrap_or_else(|| "first".into())},
        "selected": selected,
    })))
}
