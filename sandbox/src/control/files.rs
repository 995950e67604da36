//! Account files: listing, presigned-style upload and download tickets, in-memory storage.

use super::ok;
use crate::auth;
use crate::errors::{loc, ApiError, ApiResult};
use crate::limits::MAX_UPLOAD;
use crate::state::{now, AppState, FileObject, FileTicket};
use crate::validate::{body_object, Query};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use chrono::Duration;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use uuid::Uuid;

fn ticket_url(root: &str, token: &str) -> String {
    format!("{root}/_sandbox/files/{token}")
}

/// GET /files/list
pub async fn list(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let q = Query::parse(q.as_deref());
    let scope = q.choice("scope", &["personal", "shared"], "personal")?;
    let prefix = q.string("path").unwrap_or_default();
    let max_keys = usize::try_from(q.int("max_keys", 100, Some(1), Some(1000))?).unwrap_or(100);
    let after = q.string("continuation_token").unwrap_or_default();
    let db = st.db();
    let mut objects = Vec::new();
    let mut prefixes = BTreeSet::new();
    let mut truncated = false;
    let mut last = None;
    for ((cid, sc, key), obj) in &db.files {
        if *cid != caller.id
            || *sc != scope
            || !key.starts_with(&prefix)
            || key.as_str() <= after.as_str()
        {
            continue;
        }
        let rest = &key[prefix.len()..];
        if let Some(slash) = rest.find('/') {
            prefixes.insert(format!("{prefix}{}", &rest[..=slash]));
            continue;
        }
        if objects.len() == max_keys {
            truncated = true;
            break;
        }
        last = Some(key.clone());
        objects.push(json!({"key": key, "size": obj.data.len(), "last_modified": obj.last_modified.to_rfc3339()}));
    }
    Ok(ok(json!({
        "scope": scope, "path": prefix, "objects": objects,
        "common_prefixes": prefixes.into_iter().collect::<Vec<_>>(),
        "is_truncated": truncated, "next_continuation_token": if truncated { last } else { None },
        "shared_enabled": true,
    })))
}

/// GET /files/download
pub async fn download(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let q = Query::parse(q.as_deref());
    let key = q
        .string("key")
        .ok_or_else(|| ApiError::missing(loc(&["query", "key"]), Value::Null))?;
    let scope = q.choice("scope", &["personal", "shared"], "personal")?;
    let expires_in = q.int("expires_in", 900, Some(60), Some(3600))?;
    let mut db = st.db();
    if !db
        .files
        .contains_key(&(caller.id, scope.clone(), key.clone()))
    {
        return Err(ApiError::not_found("File"));
    }
    let token = Uuid::new_v4().simple().to_string();
    let ticket = FileTicket {
        customer_id: caller.id,
        scope: scope.clone(),
        key: key.clone(),
        max_bytes: 0,
        expires: now() + Duration::seconds(expires_in),
    };
    db.tickets.insert(token.clone(), ticket);
    let url = ticket_url(&st.gateway_root, &token);
    Ok(ok(
        json!({"scope": scope, "key": key, "url": url, "expires_in": expires_in}),
    ))
}

/// POST /files/upload
pub async fn upload(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let caller = auth::require(&st, &headers)?;
    let b = body_object(&body)?;
    b.refuse_nulls("AccountFileUploadRequest")?;
    let filename = b.req_str("filename", None)?;
    let size = b.req_int("size")?;
    b.opt_str("content_type", None)?;
    let path = b.opt_str("path", None)?.unwrap_or_default();
    let scope = b
        .opt_choice("scope", &["personal", "shared"])?
        .unwrap_or_else(|| "personal".into());
    if filename.is_empty() || filename.contains('/') {
        return Err(ApiError::invalid(
            "value_error",
            loc(&["body", "filename"]),
            "Value error, invalid filename",
            Value::from(filename),
        ));
    }
    if size < 0 || u64::try_from(size).unwrap_or(u64::MAX) > MAX_UPLOAD {
        return Err(ApiError::BadRequest(format!(
            "File size must be between 0 and {MAX_UPLOAD} bytes"
        )));
    }
    let dir = path.trim_matches('/');
    let key = if dir.is_empty() {
        filename
    } else {
        format!("{dir}/{filename}")
    };
    let token = Uuid::new_v4().simple().to_string();
    let ticket = FileTicket {
        customer_id: caller.id,
        scope: scope.clone(),
        key: key.clone(),
        max_bytes: MAX_UPLOAD,
        expires: now() + Duration::seconds(900),
    };
    st.db().tickets.insert(token.clone(), ticket);
    Ok(ok(json!({
        "key": key, "url": ticket_url(&st.gateway_root, &token),
        "fields": {"key": key, "policy": "c2FuZGJveA==", "x-amz-signature": "sandbox"},
        "expires_in": 900, "max_bytes": MAX_UPLOAD, "scope": scope,
    })))
}

/// Extracts the `file` part of a multipart/form-data body; `None` when it is missing or
/// the body is not valid multipart.
async fn multipart_file(content_type: &str, body: Bytes) -> Option<Bytes> {
    let boundary = multer::parse_boundary(content_type).ok()?;
    let stream = futures::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("file") {
            return field.bytes().await.ok();
        }
    }
    None
}

/// Answers the object store's errors in the same `{"detail": ...}` shape as everything else.
fn detail(status: StatusCode, msg: &str) -> Response {
    (status, axum::Json(json!({"detail": msg}))).into_response()
}

async fn store(
    State(st): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // Parsed before taking the lock: parsing awaits, and the lock must not be held across it.
    let data = if ct.starts_with("multipart/form-data") {
        match multipart_file(ct, body).await {
            Some(d) => d,
            None => return detail(StatusCode::BAD_REQUEST, "missing file part"),
        }
    } else {
        body
    };
    let mut db = st.db();
    let Some(t) = db
        .tickets
        .get(&token)
        .cloned()
        .filter(|t| t.max_bytes > 0 && t.expires > now())
    else {
        return detail(StatusCode::FORBIDDEN, "invalid or expired upload ticket");
    };
    if data.len() as u64 > t.max_bytes {
        return detail(StatusCode::PAYLOAD_TOO_LARGE, "file too large");
    }
    db.tickets.remove(&token);
    db.files.insert(
        (t.customer_id, t.scope, t.key),
        FileObject {
            data,
            last_modified: now(),
        },
    );
    StatusCode::NO_CONTENT.into_response()
}

async fn fetch(State(st): State<AppState>, Path(token): Path<String>) -> Response {
    let db = st.db();
    let Some(t) = db
        .tickets
        .get(&token)
        .filter(|t| t.max_bytes == 0 && t.expires > now())
    else {
        return detail(StatusCode::FORBIDDEN, "invalid or expired download ticket");
    };
    match db
        .files
        .get(&(t.customer_id, t.scope.clone(), t.key.clone()))
    {
        Some(obj) => (
            [("content-type", "application/octet-stream")],
            obj.data.clone(),
        )
            .into_response(),
        None => detail(StatusCode::NOT_FOUND, "no such object"),
    }
}

/// Routes of the fake object store that upload and download URLs point at.
pub fn storage_routes() -> Router<AppState> {
    Router::new().route("/_sandbox/files/{token}", get(fetch).post(store).put(store))
}
