//! Service aliases and the one-call routing switch.

use super::{ok, owned, reply, to_json};
use crate::auth;
use crate::errors::{ApiError, ApiResult};
use crate::state::{now, Alias, AppState, Db};
use crate::validate::{body_object, path_uuid, Query};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{json, Value};
use uuid::Uuid;

/// POST /aliases/
pub async fn create(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let shared = Query::parse(q.as_deref()).bool("shared", false)?;
    let b = body_object(&body)?;
    b.refuse_nulls("ServiceAliasCreate")?;
    let name = b.req_str("name", Some(100))?;
    let description = b.opt_str("description", Some(500))?;
    let request_routing_key = b.opt_obj("request_routing_key")?.map(Value::Object);
    let is_routing = b.opt_bool("is_routing")?.unwrap_or(true);
    let target_path = b.req_str("target_path", Some(500))?;
    let routing_key_override = b.opt_obj("routing_key_override")?.map(Value::Object);
    let mut db = st.db();
    let clash = db.aliases.iter().any(|a| {
        a.customer_id == caller.id
            && a.name == name
            && a.request_routing_key == request_routing_key
            && (a.target_path == target_path || (is_routing && a.is_routing))
    });
    if clash {
        return Err(ApiError::Conflict(format!(
            "An alias named '{name}' with this routing key already exists"
        )));
    }
    let a = Alias {
        id: Uuid::new_v4(),
        customer_id: caller.id,
        owner_id: if shared { None } else { Some(caller.user_id) },
        name,
        description,
        request_routing_key,
        target_path,
        routing_key_override,
        is_routing,
        details: None,
        created_at: now(),
        updated_at: None,
        deactivated_at: None,
    };
    let out = to_json(&a);
    db.aliases.push(a);
    Ok(reply(StatusCode::CREATED, out))
}

/// GET /aliases/
pub async fn list(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let q = Query::parse(q.as_deref());
    let skip = q.int("skip", 0, None, None)?;
    let limit = q.int("limit", 100, None, None)?;
    let include_deactivated = q.bool("include_deactivated", false)?;
    let shared = q.bool("shared", false)?;
    let name = q.string("name");
    let db = st.db();
    let all: Vec<&Alias> = db
        .aliases
        .iter()
        .filter(|a| owned::listed(*a, caller.id, shared))
        .filter(|a| include_deactivated || a.deactivated_at.is_none())
        .filter(|a| name.as_ref().is_none_or(|n| &a.name == n))
        .collect();
    Ok(owned::data_page(&all, skip, limit))
}

/// PATCH /aliases/{alias_id}
pub async fn update(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    path_uuid("alias_id", &id)?;
    let b = body_object(&body)?;
    let description = b.opt_str("description", Some(500))?;
    let rrk = b.opt_obj("request_routing_key")?.map(Value::Object);
    let target = b.opt_str("target_path", Some(500))?;
    let rko = b.opt_obj("routing_key_override")?.map(Value::Object);
    let mut db = st.db();
    let a = owned::find::<Alias>(&mut db, caller.id, &id)?;
    if b.has("description") {
        a.description = description;
    }
    if b.has("request_routing_key") {
        a.request_routing_key = rrk;
    }
    if let Some(t) = target {
        a.target_path = t;
    }
    if b.has("routing_key_override") {
        a.routing_key_override = rko;
    }
    a.updated_at = Some(now());
    Ok(ok(to_json(a)))
}

fn key_matches(a: &Alias, needle: &str) -> bool {
    match &a.request_routing_key {
        Some(Value::Object(m)) => m.values().any(|v| match v {
            Value::String(s) => s.contains(needle),
            other => other.to_string().contains(needle),
        }),
        _ => false,
    }
}

fn choose(
    db: &Db,
    caller: Uuid,
    ident: &str,
    on: bool,
    target: Option<&str>,
    rk: Option<&str>,
) -> ApiResult<Uuid> {
    let mine: Vec<&Alias> = db
        .aliases
        .iter()
        .filter(|a| a.customer_id == caller && a.deactivated_at.is_none())
        .collect();
    if let Ok(id) = Uuid::parse_str(ident) {
        return mine
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.id)
            .ok_or_else(|| ApiError::not_found("Alias"));
    }
    let lower = ident.to_ascii_lowercase();
    let looks_hex = lower.len() >= 4 && lower.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    let mut named: Vec<&&Alias> = mine.iter().filter(|a| a.name == ident).collect();
    if named.is_empty() && looks_hex {
        let by_prefix: Vec<&&Alias> = mine
            .iter()
            .filter(|a| a.id.to_string().starts_with(&lower))
            .collect();
        return match by_prefix.as_slice() {
            [one] => Ok(one.id),
            [] => Err(ApiError::not_found("Alias")),
            _ => Err(ApiError::Conflict(format!(
                "Alias prefix '{ident}' is ambiguous"
            ))),
        };
    }
    named.sort_by_key(|a| (a.created_at, a.id));
    if target.is_none() && rk.is_none() {
        let current = named.iter().position(|a| a.is_routing);
        let pick = match (on, current) {
            (true, Some(i)) => named.get((i + 1) % named.len()),
            (false, Some(i)) => named.get(i),
            (_, None) => named.first(),
        };
        return pick
            .map(|a| a.id)
            .ok_or_else(|| ApiError::not_found("Alias"));
    }
    named
        .iter()
        .find(|a| {
            target.is_none_or(|t| a.target_path.contains(t)) && rk.is_none_or(|k| key_matches(a, k))
        })
        .map(|a| a.id)
        .ok_or_else(|| ApiError::not_found("Alias"))
}

/// POST /aliases/{identifier}/switch
pub async fn switch(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(ident): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let q = Query::parse(q.as_deref());
    let on = q.bool("on", true)?;
    let mut db = st.db();
    let chosen = choose(
        &db,
        caller.id,
        &ident,
        on,
        q.get("target"),
        q.get("routing_key"),
    )?;
    let (name, rrk) = match db.aliases.iter().find(|a| a.id == chosen) {
        Some(a) => (a.name.clone(), a.request_routing_key.clone()),
        None => return Err(ApiError::not_found("Alias")),
    };
    let t = now();
    let mut demoted = None;
    for a in db.aliases.iter_mut().filter(|a| a.customer_id == caller.id) {
        if a.id == chosen {
            a.is_routing = on;
            a.updated_at = Some(t);
        } else if on && a.is_routing && a.name == name && a.request_routing_key == rrk {
            a.is_routing = false;
            a.updated_at = Some(t);
            demoted.get_or_insert(a.id);
        }
    }
    let alias = db
        .aliases
        .iter()
        .find(|a| a.id == chosen)
        .map(to_json)
        .unwrap_or(Value::Null);
    Ok(ok(json!({"alias": alias, "demoted_alias_id": demoted})))
}
