//! Service detail, interfaces, documents, usage and collection membership.

use super::ok;
use crate::auth;
use crate::errors::{loc, ApiError, ApiResult};
use crate::state::{AppState, Db, Document, Service};
use crate::validate::{body_object, path_uuid, Query};
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use serde_json::{json, Value};
use uuid::Uuid;

const CATEGORIES: [&str; 22] = [
    "getting_started",
    "api_reference",
    "tutorial",
    "code_example",
    "code_example_output",
    "connectivity_test",
    "request_template",
    "use_case",
    "troubleshooting",
    "changelog",
    "best_practice",
    "specification",
    "service_level_agreement",
    "terms_of_service",
    "statement",
    "invoice",
    "logo",
    "avatar",
    "blog_content",
    "blog_banner",
    "attachment",
    "other",
];

fn find(db: &Db, raw: &str) -> ApiResult<Service> {
    let id = path_uuid("service_id", raw)?;
    db.service(id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("Service"))
}

/// Gateway base URL of a service.
pub(crate) fn service_base(root: &str, id: Uuid) -> String {
    format!("{root}/p/{id}")
}

/// Renders the `ServiceDetail` shape.
pub(crate) fn detail_json(s: &Service) -> Value {
    json!({
        "id": s.id, "name": s.name, "display_name": s.display_name,
        "service_type": s.service_type, "gateway_type": "api", "description": s.description,
        "provider_name": s.provider_name, "seller_name": format!("{} (via sandbox)", s.provider_name),
        "capabilities": s.capabilities, "tags": s.tags,
        "list_price": {"currency": "USD", "input_per_million": "0.50", "output_per_million": "1.50"},
        "enrollment_channel": if s.enrollment_mode == "required" { "byok" } else { "platform" },
        "listing_type": "regular",
    })
}

/// GET /services/{service_id}
pub async fn detail(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    auth::optional(&st, &headers)?;
    let s = find(&st.db(), &id)?;
    Ok(ok(detail_json(&s)))
}

/// Interfaces dispatchable by `customer` on `s`.
pub(crate) fn interfaces_for(
    db: &Db,
    root: &str,
    s: &Service,
    customer: Option<Uuid>,
) -> Vec<Value> {
    let enrollment = customer
        .and_then(|c| db.active_enrollment(c, s.id))
        .map(|e| e.id);
    s.interfaces
        .iter()
        .filter_map(|i| {
            let enrollment_id = if i.byok { Some(enrollment?) } else { None };
            Some(json!({
                "name": i.name, "description": i.description, "access_method": "http",
                "base_url": service_base(root, s.id), "group_name": null, "enrollment_id": enrollment_id,
            }))
        })
        .collect()
}

/// GET /services/{service_id}/interfaces
pub async fn interfaces(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let db = st.db();
    let s = find(&db, &id)?;
    Ok(ok(Value::Array(interfaces_for(
        &db,
        &st.gateway_root,
        &s,
        Some(caller.id),
    ))))
}

fn membership_json(db: &Db, s: &Service, customer: Uuid) -> Value {
    let mut groups = Vec::new();
    for g in &db.groups {
        let member = g.members.iter().any(|m| m.service_id == s.id);
        if g.owner.is_none() && member {
            groups.push(json!({"id": g.id, "name": g.name, "display_name": g.display_name, "member": true, "is_default": true}));
        } else if g.owner == Some(customer) {
            groups.push(json!({"id": g.id, "name": g.name, "display_name": g.display_name, "member": member, "is_default": false}));
        }
    }
    json!({"service_id": s.id, "eligible": true, "groups": groups})
}

/// GET /services/{service_id}/groups
pub async fn membership(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let db = st.db();
    let s = find(&db, &id)?;
    Ok(ok(membership_json(&db, &s, caller.id)))
}

/// PUT /services/{service_id}/groups
pub async fn set_membership(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let sid = path_uuid("service_id", &id)?;
    let b = body_object(&body)?;
    b.refuse_nulls("CustomerGroupMembershipUpdate")?;
    let wanted = b.opt_uuid_list("group_ids")?.unwrap_or_default();
    b.opt_bool("include_default")?;
    let mut db = st.db();
    let s = db
        .service(sid)
        .cloned()
        .ok_or_else(|| ApiError::not_found("Service"))?;
    for gid in &wanted {
        if !db
            .groups
            .iter()
            .any(|g| g.id == *gid && g.owner == Some(caller.id))
        {
            return Err(ApiError::not_found("Group"));
        }
    }
    for g in db.groups.iter_mut().filter(|g| g.owner == Some(caller.id)) {
        let member = g.members.iter().any(|m| m.service_id == sid);
        if wanted.contains(&g.id) && !member {
            let sort_order = i64::try_from(g.members.len()).unwrap_or(0);
            g.members.push(crate::state::Member {
                id: Uuid::new_v4(),
                service_id: sid,
                routing_key: None,
                sort_order,
            });
        } else if !wanted.contains(&g.id) && member {
            g.members.retain(|m| m.service_id != sid);
        }
    }
    Ok(ok(membership_json(&db, &s, caller.id)))
}

fn doc_json(d: &Document, base: &str, with_content: bool) -> Value {
    let content = with_content.then(|| d.content.replace("{base_url}", base));
    json!({
        "id": d.id, "title": d.title, "description": null, "category": d.category,
        "mime_type": d.mime_type, "version": "1", "sort_order": 0, "external_url": null,
        "filename": null, "content": content, "render_error": null,
    })
}

fn pick_interface(s: &Service, root: &str, q: &Query) -> ApiResult<(String, String, Vec<String>)> {
    let shared: Vec<String> = s
        .interfaces
        .iter()
        .filter(|i| !i.byok)
        .map(|i| i.name.clone())
        .collect();
    let chosen = match q.get("interface") {
        Some(name) if s.interfaces.iter().any(|i| i.name == name) => name.to_string(),
        Some(name) => return Err(ApiError::NotFound(format!("Interface '{name}' not found"))),
        None => shared
            .first()
            .cloned()
            .unwrap_or_else(|| "canonical".into()),
    };
    Ok((chosen, service_base(root, s.id), shared))
}

/// GET /services/{service_id}/documents
pub async fn documents(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    auth::optional(&st, &headers)?;
    let q = Query::parse(q.as_deref());
    let category = match q.get("category") {
        None => None,
        Some(c) if CATEGORIES.contains(&c) => Some(c.to_string()),
        Some(c) => {
            return Err(ApiError::invalid(
                "enum",
                loc(&["query", "category"]),
                "Input should be a valid document category",
                Value::from(c),
            ))
        }
    };
    let include = q.bool("include_content", false)?;
    let mime = q.string("mime_type");
    let s = find(&st.db(), &id)?;
    let (chosen, base, shared) = pick_interface(&s, &st.gateway_root, &q)?;
    let docs: Vec<Value> = s
        .documents
        .iter()
        .filter(|d| category.as_ref().is_none_or(|c| &d.category == c))
        .filter(|d| mime.as_ref().is_none_or(|m| &d.mime_type == m))
        .map(|d| doc_json(d, &base, include))
        .collect();
    Ok(ok(
        json!({"interface": chosen, "available_interfaces": shared, "documents": docs}),
    ))
}

/// GET /services/{service_id}/documents/{document_id}
pub async fn document(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((id, doc)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    auth::optional(&st, &headers)?;
    let q = Query::parse(q.as_deref());
    let s = find(&st.db(), &id)?;
    let doc_id = path_uuid("document_id", &doc)?;
    let (chosen, base, shared) = pick_interface(&s, &st.gateway_root, &q)?;
    let d = s
        .documents
        .iter()
        .find(|d| d.id == doc_id)
        .ok_or_else(|| ApiError::not_found("Document"))?;
    Ok(ok(
        json!({"interface": chosen, "available_interfaces": shared, "documents": [doc_json(d, &base, true)]}),
    ))
}

/// GET /services/{service_id}/usage
pub async fn usage(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    auth::optional(&st, &headers)?;
    let s = find(&st.db(), &id)?;
    let base = service_base(&st.gateway_root, s.id);
    let ifaces: Vec<Value> = s
        .interfaces
        .iter()
        .map(|i| json!({"name": i.name, "base_url": base, "routing_key": null, "description": i.description}))
        .collect();
    let byok = s.enrollment_mode == "required";
    let secret = format!(
        "{}_API_KEY",
        s.provider_name.to_uppercase().replace([' ', '-'], "_")
    );
    let channel = if byok {
        json!({"name": "byok", "channel_type": "byok", "free": false, "price_description": "Billed by your provider",
               "price": null, "currency": null, "requires_enrollment": true,
               "required_secrets": [{"name": secret, "description": "Your provider API key", "default": null}],
               "optional_secrets": []})
    } else {
        json!({"name": "platform", "channel_type": "platform", "free": false, "price_description": "$0.50 / 1M input tokens",
               "price": "0.50", "currency": "USD", "requires_enrollment": false, "required_secrets": [], "optional_secrets": []})
    };
    Ok(ok(json!({
        "enrollment_mode": s.enrollment_mode,
        "parameters": [],
        "interfaces": ifaces,
        "channels": [channel],
        "routing_endpoints": [{"base_url": base, "routing_key": null, "routing_key_required": false}],
    })))
}
