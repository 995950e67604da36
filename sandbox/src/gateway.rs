//! The gateway: `/p`, `/g`, `/a` addressing with stackable `l m f t d r` wrappers.

use crate::auth;
use crate::errors::ApiError;
use crate::routing::{self, Kind, Target};
use crate::state::{now, parse_duration, AppState, Customer, LogRow, MemoEntry, Recurrent};
use crate::upstream::{self, UpstreamRequest, CONTROL_PARAMS};
use crate::validate::{parse_datetime, Query};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::future::BoxFuture;
use serde_json::{json, Map, Value};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Largest response the memoize wrapper buffers.
const MAX_MEMO: usize = 16 * 1024 * 1024;
/// Preview size kept in truncated logging mode.
const PREVIEW: usize = 8 * 1024;

/// One gateway call, already authenticated and read.
#[derive(Debug, Clone)]
pub struct Call {
    /// The caller.
    pub customer: Customer,
    /// Method.
    pub method: Method,
    /// Gateway path plus query, e.g. `/p/<id>/v1/chat/completions?x=1`.
    pub target: String,
    /// Request headers.
    pub headers: HeaderMap,
    /// Request body.
    pub body: Bytes,
    /// The recurrent request that fired this call, if any.
    pub recurrent_id: Option<Uuid>,
}

/// What the log row learns about a call.
#[derive(Debug, Clone, Default)]
struct Meta {
    service_id: Option<Uuid>,
    enrollment_id: Option<Uuid>,
    error_source: Option<String>,
    error_type: Option<String>,
}

impl Meta {
    fn gateway(kind: &str) -> Self {
        Meta {
            error_source: Some("gateway".into()),
            error_type: Some(kind.into()),
            ..Meta::default()
        }
    }
}

fn detail(status: StatusCode, msg: &str) -> Response {
    (status, axum::Json(json!({"detail": msg}))).into_response()
}

/// Root fallback handler serving every gateway path.
pub async fn handler(State(st): State<AppState>, req: Request) -> Response {
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let (parts, body) = req.into_parts();
    let mut resp = match auth::require(&st, &parts.headers) {
        Err(e) => e.into_response(),
        Ok(customer) => match axum::body::to_bytes(body, st.limits.gateway_body).await {
            Err(_) => detail(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request body too large or unreadable",
            ),
            Ok(body) => {
                {
                    let mut db = st.db();
                    if db.journal.len() == crate::journal::JOURNAL_CAPACITY {
                        db.journal.pop_front();
                    }
                    db.journal.push_back(crate::journal::RecordedRequest::new(
                        &parts.method,
                        &target,
                        &parts.headers,
                        &body,
                    ));
                }
                let call = Call {
                    customer,
                    method: parts.method,
                    target: target.clone(),
                    headers: parts.headers,
                    body,
                    recurrent_id: None,
                };
                execute(st, call).await
            }
        },
    };
    if let Ok(v) = HeaderValue::from_str(&target) {
        resp.headers_mut().insert("x-sandbox-path", v);
    }
    resp
}

fn split_target(target: &str) -> (&str, Option<&str>) {
    match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    }
}

/// Runs one gateway call through wrappers, routing and the fake upstream, logging it when asked.
pub fn execute(st: AppState, call: Call) -> BoxFuture<'static, Response> {
    Box::pin(async move {
        let started = Instant::now();
        let (path, raw_q) = split_target(&call.target);
        let q = Query::parse(raw_q);
        let (resp, meta, force) = match routing::parse(path) {
            Ok(t) => {
                let force = t.wrappers.contains(&'l');
                let (r, m) = run(st.clone(), call.clone(), t, q.clone(), 0).await;
                (r, m, force)
            }
            Err(e) => (e.into_response(), Meta::gateway("route_not_found"), false),
        };
        record(&st, &call, resp, meta, started, force || q.has("_complete")).await
    })
}

fn without(t: &Target, w: char) -> Target {
    let mut t = t.clone();
    t.wrappers.retain(|c| *c != w);
    t
}

/// Renders a target back into a gateway path with query.
fn render(t: &Target, q: &Query) -> String {
    let mut s = String::new();
    for w in &t.wrappers {
        s.push('/');
        s.push(*w);
    }
    let letter = match t.kind {
        Kind::Service => "p",
        Kind::Group => "g",
        Kind::Alias => "a",
    };
    s.push_str(&format!("/{letter}/{}", t.ident));
    if !t.rest.is_empty() {
        s.push('/');
        s.push_str(&t.rest);
    }
    let enc = q.encode();
    if !enc.is_empty() {
        s.push('?');
        s.push_str(&enc);
    }
    s
}

fn drop_params(q: &Query, names: &[&str]) -> Query {
    Query::from_pairs(
        q.pairs()
            .iter()
            .filter(|(k, _)| !names.contains(&k.as_str()))
            .cloned()
            .collect(),
    )
}

/// Parses a secondary path (`_else`, `_to`) and appends the primary's sub-path.
fn secondary(raw: &str, primary: &Target) -> Result<Target, ApiError> {
    if raw.contains("://") {
        return Err(ApiError::BadRequest(
            "Secondary paths must be gateway-relative".into(),
        ));
    }
    let mut t = routing::parse(raw)?;
    if !primary.rest.is_empty() {
        t.rest = if t.rest.is_empty() {
            primary.rest.clone()
        } else {
            format!("{}/{}", t.rest, primary.rest)
        };
    }
    Ok(t)
}

fn run(
    st: AppState,
    call: Call,
    t: Target,
    q: Query,
    depth: u8,
) -> BoxFuture<'static, (Response, Meta)> {
    Box::pin(async move {
        if t.wrappers.contains(&'d') {
            return delayed(st, call, without(&t, 'd'), q);
        }
        if t.wrappers.contains(&'r') {
            return recurrent(&st, &call, without(&t, 'r'), &q);
        }
        if t.wrappers.contains(&'m') {
            return memoize(st, call, t, q, depth).await;
        }
        if t.wrappers.contains(&'t') {
            let inner = without(&t, 't');
            let Some(to) = q.string("_to") else {
                return (
                    detail(StatusCode::BAD_REQUEST, "The t/ wrapper needs _to"),
                    Meta::gateway("bad_wrapper"),
                );
            };
            let sec = match secondary(&to, &inner) {
                Ok(s) => s,
                Err(e) => return (e.into_response(), Meta::gateway("bad_wrapper")),
            };
            let (mut resp, meta) = run(st.clone(), call.clone(), inner, q.clone(), depth).await;
            let (tee, _) = run(st, call, sec, q, depth + 1).await;
            let tee_status = tee.status().as_u16();
            drain(tee).await;
            resp.headers_mut()
                .insert("x-sandbox-tee-status", HeaderValue::from(tee_status));
            return (resp, meta);
        }
        if t.wrappers.contains(&'f') {
            let inner = without(&t, 'f');
            let fallback = q.string("_else");
            let (resp, meta) = run(st.clone(), call.clone(), inner.clone(), q.clone(), depth).await;
            let failed =
                resp.status().is_server_error() || resp.status() == StatusCode::TOO_MANY_REQUESTS;
            let Some(fallback) = fallback.filter(|_| failed) else {
                return (resp, meta);
            };
            let sec = match secondary(&fallback, &inner) {
                Ok(s) => s,
                Err(e) => return (e.into_response(), Meta::gateway("bad_wrapper")),
            };
            drain(resp).await;
            let (mut resp, meta) = run(st, call, sec, q, depth + 1).await;
            resp.headers_mut()
                .insert("x-sandbox-failover", HeaderValue::from_static("secondary"));
            return (resp, meta);
        }
        dispatch(st, call, t, q, depth).await
    })
}

async fn drain(resp: Response) {
    let fut = axum::body::to_bytes(resp.into_body(), MAX_MEMO);
    let _ = tokio::time::timeout(Duration::from_secs(5), fut).await;
}

async fn dispatch(st: AppState, call: Call, t: Target, q: Query, depth: u8) -> (Response, Meta) {
    if t.kind == Kind::Alias {
        if depth > 4 {
            return (
                detail(StatusCode::LOOP_DETECTED, "Alias resolution loops"),
                Meta::gateway("alias_loop"),
            );
        }
        let found = routing::alias(&st.db(), &call.customer, &t.ident, None);
        let Some(alias) = found else {
            return (
                ApiError::not_found("Alias").into_response(),
                Meta::gateway("alias_not_found"),
            );
        };
        let inner = match secondary(&alias.target_path, &t) {
            Ok(i) => i,
            Err(e) => return (e.into_response(), Meta::gateway("bad_alias_target")),
        };
        return run(st, call, inner, q, depth + 1).await;
    }
    let picked = {
        let db = st.db();
        routing::candidates(&db, &call.customer, &t, None, 0).map(|c| {
            c.into_iter().next().and_then(|c| {
                db.service(c.service_id)
                    .cloned()
                    .map(|s| (s, c.enrollment_id))
            })
        })
    };
    let (svc, enrollment_id) = match picked {
        Ok(Some(found)) => found,
        Ok(None) => {
            return (
                detail(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "No service available in this group",
                ),
                Meta::gateway("no_candidate"),
            )
        }
        Err(e) => return (e.into_response(), Meta::gateway("route_not_found")),
    };
    let upstream_q = drop_params(&q, &CONTROL_PARAMS);
    let models: Vec<(String, String)> = if t.rest.trim_end_matches('/').ends_with("models") {
        st.db()
            .services
            .iter()
            .filter(|s| s.service_type == "llm" || s.service_type == "embedding")
            .map(|s| (s.name.clone(), s.provider_name.clone()))
            .collect()
    } else {
        Vec::new()
    };
    let req = UpstreamRequest {
        models: &models,
        method: &call.method,
        rest: &t.rest,
        query: &upstream_q,
        headers: &call.headers,
        body: &call.body,
    };
    let scripted = crate::script::find(&st, svc.id, split_target(&call.target).0);
    let mut resp = match scripted {
        Some(answer) => crate::script::play(&st, answer, &call.target, &call.body).await,
        None => upstream::respond(&svc, &req),
    };
    if let Ok(v) = HeaderValue::from_str(&svc.id.to_string()) {
        resp.headers_mut().insert("x-sandbox-service-id", v);
    }
    let failed = resp.status().is_server_error();
    let meta = Meta {
        service_id: Some(svc.id),
        enrollment_id,
        error_source: failed.then(|| "upstream".into()),
        error_type: failed.then(|| "upstream_error".into()),
    };
    (resp, meta)
}

fn memo_key(call: &Call, t: &Target, q: &Query) -> String {
    let mut h = DefaultHasher::new();
    call.body.hash(&mut h);
    let upstream_q = drop_params(q, &CONTROL_PARAMS).encode();
    format!(
        "{}|{}|{}|{:x}",
        call.customer.id,
        call.method,
        render(t, &Query::parse(Some(&upstream_q))),
        h.finish()
    )
}

async fn memoize(st: AppState, call: Call, t: Target, q: Query, depth: u8) -> (Response, Meta) {
    let inner = without(&t, 'm');
    let ttl = match q.get("_ttl").filter(|v| !v.is_empty()) {
        None => chrono::Duration::hours(1),
        Some(raw) => match parse_duration(raw)
            .filter(|d| *d > chrono::Duration::zero() && *d <= chrono::Duration::days(7))
        {
            Some(d) => d,
            None => {
                return (
                    detail(
                        StatusCode::BAD_REQUEST,
                        "Invalid _ttl (use e.g. 30s, 10m, 1h, max 7d)",
                    ),
                    Meta::gateway("bad_wrapper"),
                )
            }
        },
    };
    let key = memo_key(&call, &inner, &q);
    if !q.has("_renew") {
        let hit = st
            .db()
            .memo
            .get(&key)
            .filter(|e| e.expires > now())
            .cloned();
        if let Some(e) = hit {
            let mut resp = Response::new(Body::from(e.body));
            *resp.status_mut() = StatusCode::from_u16(e.status).unwrap_or(StatusCode::OK);
            for (k, v) in &e.headers {
                if let (Ok(k), Ok(v)) = (
                    axum::http::HeaderName::from_bytes(k.as_bytes()),
                    HeaderValue::from_str(v),
                ) {
                    resp.headers_mut().insert(k, v);
                }
            }
            resp.headers_mut()
                .insert("x-cache", HeaderValue::from_static("hit"));
            return (resp, Meta::default());
        }
    }
    let (resp, meta) = run(st.clone(), call, inner, q, depth).await;
    let (parts, body) = resp.into_parts();
    let bytes = match tokio::time::timeout(
        Duration::from_secs(60),
        axum::body::to_bytes(body, MAX_MEMO),
    )
    .await
    {
        Ok(Ok(b)) => b,
        _ => {
            return (
                detail(
                    StatusCode::BAD_GATEWAY,
                    "Upstream response could not be cached",
                ),
                Meta::gateway("memoize_failed"),
            )
        }
    };
    if parts.status.as_u16() < 500 {
        let headers = parts
            .headers
            .iter()
            .filter(|(k, _)| k.as_str() != "content-length")
            .filter_map(|(k, v)| {
                v.to_str()
                    .ok()
                    .map(|v| (k.as_str().to_string(), v.to_string()))
            })
            .collect();
        let entry = MemoEntry {
            status: parts.status.as_u16(),
            headers,
            body: bytes.clone(),
            expires: now() + ttl,
        };
        st.db().remember(key, entry, st.limits.memo_entries);
    }
    let mut resp = Response::from_parts(parts, Body::from(bytes));
    resp.headers_mut().remove("content-length");
    resp.headers_mut()
        .insert("x-cache", HeaderValue::from_static("miss"));
    (resp, meta)
}

fn delayed(st: AppState, call: Call, inner: Target, q: Query) -> (Response, Meta) {
    let wait = if let Some(raw) = q.get("_in") {
        parse_duration(raw)
    } else if let Some(raw) = q.get("_at") {
        parse_datetime(raw).map(|at| (at - now()).max(chrono::Duration::zero()))
    } else {
        None
    };
    let Some(wait) = wait else {
        return (
            detail(
                StatusCode::BAD_REQUEST,
                "The d/ wrapper needs _in=<duration> or _at=<timestamp>",
            ),
            Meta::gateway("bad_wrapper"),
        );
    };
    let fire_at = now() + wait;
    let path = render(&inner, &drop_params(&q, &["_in", "_at"]));
    let id = Uuid::new_v4();
    // Only near-term firings are really scheduled: a sandbox does not outlive a test run.
    if let Ok(w) = wait.to_std() {
        if w <= Duration::from_secs(3600) {
            let next = Call {
                target: path.clone(),
                ..call
            };
            tokio::spawn(async move {
                tokio::time::sleep(w).await;
                drain(execute(st, next).await).await;
            });
        }
    }
    let body = json!({"id": id, "status": "scheduled", "fire_at": fire_at, "path": path});
    (
        (StatusCode::ACCEPTED, axum::Json(body)).into_response(),
        Meta::default(),
    )
}

fn recurrent(st: &AppState, call: &Call, inner: Target, q: &Query) -> (Response, Meta) {
    let every = q
        .get("_every")
        .and_then(parse_duration)
        .filter(|d| d.num_seconds() >= 1);
    let Some(every) = every else {
        return (
            detail(
                StatusCode::BAD_REQUEST,
                "The r/ wrapper needs _every=<duration> of at least 1s",
            ),
            Meta::gateway("bad_wrapper"),
        );
    };
    let path = render(&inner, &drop_params(q, &["_every"]));
    let schedule = json!({"schedule_type": "interval", "interval_seconds": every.num_seconds()});
    let body_template = match serde_json::from_slice::<Value>(&call.body) {
        Ok(v @ Value::Object(_)) => Some(v),
        _ => None,
    };
    let rec = Recurrent {
        id: Uuid::new_v4(),
        status: "active".into(),
        customer_id: call.customer.id,
        service_id: None,
        enrollment_id: None,
        request_path: path.trim_start_matches('/').to_string(),
        http_method: call.method.to_string(),
        body_template,
        request_headers: None,
        schedule: Some(schedule.clone()),
        state: None,
        name: None,
        created_at: now().to_rfc3339(),
        updated_at: None,
    };
    let body = json!({"id": rec.id, "status": "active", "schedule": schedule, "request_path": rec.request_path});
    st.db().recurrent.push(rec);
    (
        (StatusCode::CREATED, axum::Json(body)).into_response(),
        Meta::default(),
    )
}

fn preview(bytes: &[u8], limit: usize) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    if bytes.len() <= limit {
        if let Ok(v) = serde_json::from_slice::<Value>(bytes) {
            return v;
        }
    }
    let cut = &bytes[..bytes.len().min(limit)];
    Value::from(String::from_utf8_lossy(cut).into_owned())
}

fn header_map(h: &HeaderMap) -> Map<String, Value> {
    h.iter()
        .filter(|(k, _)| k.as_str() != "authorization")
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                Value::from(String::from_utf8_lossy(v.as_bytes()).into_owned()),
            )
        })
        .collect()
}

async fn record(
    st: &AppState,
    call: &Call,
    resp: Response,
    meta: Meta,
    started: Instant,
    force: bool,
) -> Response {
    let mode = st.db().logging.get(&call.customer.id).cloned();
    if mode.is_none() && !force {
        return resp;
    }
    let limit = if mode.as_deref() == Some("complete") {
        usize::MAX
    } else {
        PREVIEW
    };
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = resp.status().as_u16();
    let response_headers = header_map(resp.headers());
    let small = axum::body::HttpBody::size_hint(resp.body())
        .exact()
        .is_some_and(|n| n <= 1024 * 1024);
    let (resp, response_body) = if small {
        let (parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, 1024 * 1024)
            .await
            .unwrap_or_default();
        let p = preview(&bytes, limit);
        (Response::from_parts(parts, Body::from(bytes)), p)
    } else {
        (resp, Value::from("<streamed response not captured>"))
    };
    let row = LogRow {
        id: Uuid::new_v4(),
        customer_id: call.customer.id,
        user_id: call.customer.user_id,
        at: now(),
        method: call.method.to_string(),
        path: call.target.clone(),
        status,
        duration_ms,
        service_id: meta.service_id,
        enrollment_id: meta.enrollment_id,
        request_headers: header_map(&call.headers),
        request_body: preview(&call.body, limit),
        content_type: call
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
        response_headers,
        response_body,
        error_source: meta
            .error_source
            .clone()
            .or_else(|| (status >= 400).then(|| "gateway".into())),
        error_type: meta
            .error_type
            .clone()
            .or_else(|| (status >= 400).then(|| format!("http_{status}"))),
        recurrent_request_id: call.recurrent_id,
    };
    st.db().push_log(row, st.limits.log_rows);
    resp
}
