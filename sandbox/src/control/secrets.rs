//! Customer secrets (write-only values unless marked non-sensitive).

use super::{ok, page, reply, to_json};
use crate::auth;
use crate::errors::{loc, ApiError, ApiResult};
use crate::state::{now, AppState, Secret};
use crate::validate::{body_object, Query};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{json, Value};
use uuid::Uuid;

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase() || c == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn public(s: &Secret) -> Value {
    let mut v = to_json(s);
    if let Value::Object(m) = &mut v {
        let shown = if s.sensitive {
            Value::Null
        } else {
            Value::from(s.stored.as_str())
        };
        m.insert("value".into(), shown);
    }
    v
}

/// GET /secrets/
pub async fn list(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let q = Query::parse(q.as_deref());
    let skip = q.int("skip", 0, None, None)?;
    let limit = q.opt_int("limit", None, None)?.unwrap_or(i64::MAX);
    let db = st.db();
    let mine: Vec<&Secret> = db
        .secrets
        .iter()
        .filter(|s| s.customer_id == caller.id)
        .collect();
    let data: Vec<Value> = page(&mine, skip, limit).into_iter().map(public).collect();
    Ok(ok(json!({"data": data, "count": mine.len()})))
}

/// GET /secrets/{name}
pub async fn get_one(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let db = st.db();
    let mine = |s: &&Secret| s.customer_id == caller.id && s.name == name;
    let found = db
        .secrets
        .iter()
        .filter(mine)
        .find(|s| s.owner_id.is_some())
        .or_else(|| db.secrets.iter().find(|s| mine(s)));
    found
        .map(|s| ok(public(s)))
        .ok_or_else(|| ApiError::not_found("Secret"))
}

/// A parsed `SecretUpdate` body.
struct SecretUpdate {
    value: String,
    sensitive: Option<bool>,
    /// `None` when absent (keep the current one), `Some(None)` when explicitly null.
    description: Option<Option<String>>,
}

impl SecretUpdate {
    /// Parses the body; its errors may quote the secret, so callers strip their inputs.
    fn parse(body: &Bytes) -> ApiResult<SecretUpdate> {
        let b = body_object(body)?;
        let value = b.req_str("value", Some(4000))?;
        let sensitive = b.opt_bool("sensitive")?;
        let description = b.opt_str("description", Some(10000))?;
        Ok(SecretUpdate {
            value,
            sensitive,
            description: b.has("description").then_some(description),
        })
    }
}

/// PUT /secrets/{name}: 201 when the secret is new, 200 when it replaces one.
pub async fn set(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    if !valid_name(&name) || name.len() > 100 {
        return Err(ApiError::invalid(
            "string_pattern_mismatch",
            loc(&["path", "name"]),
            "String should match pattern '^[A-Z_][A-Z0-9_]*$'",
            Value::from(name),
        ));
    }
    let shared = Query::parse(q.as_deref()).bool("shared", false)?;
    let SecretUpdate {
        value,
        sensitive,
        description,
    } = SecretUpdate::parse(&body).map_err(ApiError::without_input)?;
    let owner = if shared { None } else { Some(caller.user_id) };
    let mut db = st.db();
    let t = now();
    let existing = db
        .secrets
        .iter_mut()
        .find(|s| s.customer_id == caller.id && s.name == name && s.owner_id == owner);
    let out = match existing {
        Some(s) => {
            s.stored = value;
            if let Some(v) = sensitive {
                s.sensitive = v;
            }
            if let Some(description) = description {
                s.description = description;
            }
            s.updated_at = Some(t);
            ok(public(s))
        }
        None => {
            let s = Secret {
                id: Uuid::new_v4(),
                name,
                description: description.flatten(),
                owner_type: "customer".into(),
                role_id: None,
                owner_id: owner,
                sensitive: sensitive.unwrap_or(true),
                value: None,
                created_at: t,
                updated_at: Some(t),
                last_used_at: None,
                customer_id: caller.id,
                stored: value,
            };
            let out = reply(StatusCode::CREATED, public(&s));
            db.secrets.push(s);
            out
        }
    };
    Ok(out)
}

/// DELETE /secrets/{name}
pub async fn remove(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let shared = Query::parse(q.as_deref()).bool("shared", false)?;
    let owner = if shared { None } else { Some(caller.user_id) };
    let mut db = st.db();
    let before = db.secrets.len();
    db.secrets
        .retain(|s| !(s.customer_id == caller.id && s.name == name && s.owner_id == owner));
    if db.secrets.len() == before {
        return Err(ApiError::not_found("Secret"));
    }
    Ok(ok(json!({"message": format!("Secret '{name}' deleted")})))
}
