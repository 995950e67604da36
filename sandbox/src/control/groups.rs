//! System groups and customer collections.

use super::{ok, reply, to_json};
use crate::auth;
use crate::errors::{loc, ApiError, ApiResult};
use crate::state::{AppState, Db, Group, Member, Service};
use crate::validate::{body_object, path_uuid, Query};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{json, Value};
use uuid::Uuid;

fn owner_type(g: &Group) -> &'static str {
    if g.owner.is_some() {
        "customer"
    } else {
        "system"
    }
}

/// Renders the `CustomerGroupView` shape.
pub(crate) fn view(g: &Group) -> Value {
    json!({
        "id": g.id, "name": g.name, "display_name": g.display_name,
        "owner_type": owner_type(g), "editable": g.owner.is_some(),
        "member_count": g.members.len(), "details": null, "group_type": g.group_type,
    })
}

/// Renders the group's gateway interface.
pub(crate) fn interface(root: &str, g: &Group) -> Value {
    json!({
        "name": "canonical",
        "description": format!("Route through the {} group", g.name),
        "access_method": "http",
        "base_url": format!("{root}/g/{}", g.name),
        "group_name": g.name,
        "enrollment_id": null,
    })
}

fn collection_public(g: &Group) -> Value {
    json!({
        "id": g.id, "name": g.name, "display_name": g.display_name,
        "description": g.description, "enabled": g.enabled, "member_count": g.members.len(),
    })
}

/// Renders the `ServiceSummary` shape.
pub(crate) fn summary(s: &Service) -> Value {
    json!({
        "id": s.id, "name": s.name, "display_name": s.display_name,
        "service_type": s.service_type, "gateway_type": "api",
    })
}

/// GET /groups
pub async fn list(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let caller = auth::optional(&st, &headers)?;
    let q = Query::parse(q.as_deref());
    let owner = q.get("owner").unwrap_or("all");
    if !matches!(owner, "all" | "system" | "own") {
        return Err(ApiError::invalid(
            "string_pattern_mismatch",
            loc(&["query", "owner"]),
            "String should match pattern '^(all|system|own)$'",
            Value::from(owner),
        ));
    }
    q.bool("shared", false)?;
    let name = q.get("name").map(str::to_lowercase);
    let cid = caller.map(|c| c.id);
    let db = st.db();
    let data: Vec<Value> = db
        .groups
        .iter()
        .filter(|g| match owner {
            "system" => g.owner.is_none(),
            "own" => g.owner.is_some() && g.owner == cid,
            _ => g.owner.is_none() || (g.owner.is_some() && g.owner == cid),
        })
        .filter(|g| {
            name.as_ref()
                .is_none_or(|n| g.name.to_lowercase().contains(n.as_str()))
        })
        .map(view)
        .collect();
    Ok(ok(json!({"count": data.len(), "data": data})))
}

/// POST /groups
pub async fn create(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    Query::parse(q.as_deref()).bool("shared", false)?;
    let b = body_object(&body)?;
    let name = b.req_str("name", None)?;
    let display_name = b.opt_str("display_name", None)?;
    let description = b.opt_str("description", None)?;
    // The platform spec sets no minimum length, so an empty name is stored as the platform
    // would; such a group is reachable by id only (`/groups/` is the listing).
    let mut db = st.db();
    if db
        .groups
        .iter()
        .any(|g| g.owner == Some(caller.id) && g.name == name)
    {
        return Err(ApiError::Conflict(format!(
            "Collection '{name}' already exists"
        )));
    }
    let g = Group {
        id: Uuid::new_v4(),
        name,
        display_name,
        description,
        owner: Some(caller.id),
        group_type: "collection".into(),
        enabled: true,
        members: Vec::new(),
        has_interface: true,
    };
    let out = view(&g);
    db.groups.push(g);
    Ok(reply(StatusCode::CREATED, out))
}

fn own_group(db: &mut Db, caller: Uuid, id: Uuid) -> ApiResult<&mut Group> {
    let g = db
        .groups
        .iter_mut()
        .find(|g| g.id == id)
        .ok_or_else(|| ApiError::not_found("Group"))?;
    match g.owner {
        Some(o) if o == caller => Ok(g),
        Some(_) => Err(ApiError::not_found("Group")),
        None => Err(ApiError::Forbidden("System groups are not editable".into())),
    }
}

/// PATCH /groups/{group_id}
pub async fn update(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(key): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let id = path_uuid("group_id", &key)?;
    let b = body_object(&body)?;
    let display_name = b.opt_str("display_name", None)?;
    let description = b.opt_str("description", None)?;
    let enabled = b.opt_bool("enabled")?;
    let mut db = st.db();
    let g = own_group(&mut db, caller.id, id)?;
    if b.has("display_name") {
        g.display_name = display_name;
    }
    if b.has("description") {
        g.description = description;
    }
    if let Some(e) = enabled {
        g.enabled = e;
    }
    Ok(ok(collection_public(g)))
}

/// DELETE /groups/{group_id}
pub async fn remove(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(key): Path<String>,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let id = path_uuid("group_id", &key)?;
    let mut db = st.db();
    own_group(&mut db, caller.id, id)?;
    db.groups.retain(|g| g.id != id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// GET /groups/{name}
pub async fn detail(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(key): Path<String>,
) -> ApiResult<Response> {
    let caller = auth::optional(&st, &headers)?;
    let db = st.db();
    let g = db
        .visible_group(caller.map(|c| c.id), &key)
        .ok_or_else(|| ApiError::not_found("Group"))?;
    let mut out = view(g);
    if let Value::Object(m) = &mut out {
        m.insert("description".into(), json!(g.description));
        m.insert("enabled".into(), json!(g.enabled));
        m.insert("routing_policy".into(), json!({"strategy": "first"}));
        let iface = if g.has_interface {
            interface(&st.gateway_root, g)
        } else {
            Value::Null
        };
        m.insert("interface".into(), iface);
    }
    Ok(ok(out))
}

fn encode_cursor(s: &Service) -> String {
    let raw = format!("{}|{}", s.created_at.timestamp_micros(), s.id);
    raw.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_cursor(c: &str) -> Option<(i64, Uuid)> {
    if !c.len().is_multiple_of(2) || !c.is_ascii() {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..c.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(c.get(i..i + 2)?, 16).ok())
        .collect();
    let text = String::from_utf8(bytes?).ok()?;
    let (ts, id) = text.split_once('|')?;
    Some((ts.parse().ok()?, Uuid::parse_str(id).ok()?))
}

/// GET /groups/{name}/services
pub async fn services(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(key): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let caller = auth::optional(&st, &headers)?;
    let q = Query::parse(q.as_deref());
    let limit = q.int("limit", 50, Some(1), Some(200))?;
    let after = match q.get("cursor").filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(decode_cursor(c).ok_or_else(|| {
            ApiError::invalid(
                "value_error",
                loc(&["query", "cursor"]),
                "Value error, invalid cursor",
                Value::from(c),
            )
        })?),
    };
    let search = q
        .get("search")
        .map(str::to_lowercase)
        .filter(|s| !s.is_empty());
    let db = st.db();
    let g = db
        .visible_group(caller.map(|c| c.id), &key)
        .ok_or_else(|| ApiError::not_found("Group"))?;
    let mut items: Vec<&Service> = g
        .members
        .iter()
        .filter_map(|m| db.service(m.service_id))
        .collect();
    if let Some(s) = &search {
        items.retain(|svc| {
            [&svc.name, &svc.display_name, &svc.provider_name]
                .iter()
                .any(|f| f.to_lowercase().contains(s.as_str()))
        });
    }
    items.sort_by_key(|s| std::cmp::Reverse((s.created_at, s.id)));
    if let Some((ts, id)) = after {
        items.retain(|s| (s.created_at.timestamp_micros(), s.id) < (ts, id));
    }
    let take = usize::try_from(limit).unwrap_or(50);
    let has_more = items.len() > take;
    items.truncate(take);
    let next = if has_more {
        items.last().map(|s| encode_cursor(s))
    } else {
        None
    };
    let data: Vec<Value> = items.into_iter().map(summary).collect();
    Ok(ok(
        json!({"data": data, "next_cursor": next, "has_more": has_more}),
    ))
}

/// GET /groups/{group_id}/members
pub async fn members(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(key): Path<String>,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let id = path_uuid("group_id", &key)?;
    let db = st.db();
    let g = db
        .groups
        .iter()
        .find(|g| g.id == id && (g.owner.is_none() || g.owner == Some(caller.id)))
        .ok_or_else(|| ApiError::not_found("Group"))?;
    Ok(ok(Value::Array(g.members.iter().map(to_json).collect())))
}

/// POST /groups/{group_id}/members
pub async fn add_member(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(key): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let id = path_uuid("group_id", &key)?;
    let b = body_object(&body)?;
    b.refuse_nulls("ServiceCollectionMemberCreate")?;
    let service_id = b.req_uuid("service_id")?;
    let routing_key = b.opt_obj("routing_key")?.map(Value::Object);
    let sort_order = b.opt_int("sort_order")?.unwrap_or(0);
    let mut db = st.db();
    if db.service(service_id).is_none() {
        return Err(ApiError::not_found("Service"));
    }
    let g = own_group(&mut db, caller.id, id)?;
    if g.members.iter().any(|m| m.service_id == service_id) {
        return Err(ApiError::Conflict(
            "Service is already a member of this collection".into(),
        ));
    }
    let m = Member {
        id: Uuid::new_v4(),
        service_id,
        routing_key,
        sort_order,
    };
    let out = to_json(&m);
    g.members.push(m);
    Ok(reply(StatusCode::CREATED, out))
}

/// DELETE /groups/{group_id}/members/{service_id}
pub async fn remove_member(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((key, sid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let id = path_uuid("group_id", &key)?;
    let service_id = path_uuid("service_id", &sid)?;
    let mut db = st.db();
    let g = own_group(&mut db, caller.id, id)?;
    let before = g.members.len();
    g.members.retain(|m| m.service_id != service_id);
    if g.members.len() == before {
        return Err(ApiError::not_found("Member"));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
