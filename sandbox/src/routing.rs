//! Parsing of gateway paths and resolution to candidate services.

use crate::errors::{ApiError, ApiResult};
use crate::state::{Alias, Customer, Db};
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// What a gateway path addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `p/<service-id>`
    Service,
    /// `g/<group>`
    Group,
    /// `a/<alias>`
    Alias,
}

/// A parsed gateway path.
#[derive(Debug, Clone)]
pub struct Target {
    /// Wrapper letters in URL order (`l`, `m`, `f`, `t`, `d`, `r`).
    pub wrappers: Vec<char>,
    /// Addressing kind.
    pub kind: Kind,
    /// Service id, group name or alias name/id.
    pub ident: String,
    /// Sub-path after the identifier, without a leading slash.
    pub rest: String,
}

/// Parses a gateway path (query, if any, is ignored).
pub fn parse(path: &str) -> ApiResult<Target> {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut segs = path.trim_start_matches('/').split('/').peekable();
    let mut wrappers = Vec::new();
    while let Some(&s) = segs.peek() {
        match s {
            "l" | "m" | "f" | "t" | "d" | "r" => {
                wrappers.extend(s.chars());
                segs.next();
            }
            _ => break,
        }
    }
    let kind = match segs.next() {
        Some("p") => Kind::Service,
        Some("g") => Kind::Group,
        Some("a") => Kind::Alias,
        _ => return Err(ApiError::NotFound(format!("Unknown gateway path '{path}'"))),
    };
    let ident = match segs.next() {
        Some(i) if !i.is_empty() => i.to_string(),
        _ => {
            return Err(ApiError::NotFound(format!(
                "Missing identifier in gateway path '{path}'"
            )))
        }
    };
    let rest = segs.collect::<Vec<_>>().join("/");
    Ok(Target {
        wrappers,
        kind,
        ident,
        rest,
    })
}

/// A service the gateway could send a request to.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Service id.
    pub service_id: Uuid,
    /// The caller's active enrollment on it, if any.
    pub enrollment_id: Option<Uuid>,
    /// Routing weight.
    pub weight: i64,
}

impl Candidate {
    /// Renders the `ResolveCandidate` shape.
    pub fn to_json(&self, db: &Db) -> Value {
        let s = db.service(self.service_id);
        json!({
            "service_id": self.service_id,
            "service_name": s.map(|s| s.name.clone()),
            "provider_name": s.map(|s| s.provider_name.clone()),
            "weight": self.weight,
            "enrollment_id": self.enrollment_id,
        })
    }
}

fn key_subset(small: Option<&Value>, big: Option<&Map<String, Value>>) -> bool {
    match (small, big) {
        (Some(Value::Object(s)), Some(b)) => s.iter().all(|(k, v)| b.get(k) == Some(v)),
        (Some(Value::Object(s)), None) => s.is_empty(),
        _ => true,
    }
}

/// Finds the routing alias `ident` (name or id) of `caller`, preferring one whose key matches.
pub fn alias(
    db: &Db,
    caller: &Customer,
    ident: &str,
    rk: Option<&Map<String, Value>>,
) -> Option<Alias> {
    let id = Uuid::parse_str(ident).ok();
    let live: Vec<&Alias> = db
        .aliases
        .iter()
        .filter(|a| a.customer_id == caller.id && a.deactivated_at.is_none())
        .filter(|a| Some(a.id) == id || (a.name == ident && a.is_routing))
        .collect();
    live.iter()
        .find(|a| a.request_routing_key.is_some() && key_subset(a.request_routing_key.as_ref(), rk))
        .or_else(|| live.iter().find(|a| a.request_routing_key.is_none()))
        .or_else(|| live.first())
        .map(|a| (*a).clone())
}

/// Lists candidates for `t` in routing order.
pub fn candidates(
    db: &Db,
    caller: &Customer,
    t: &Target,
    rk: Option<&Map<String, Value>>,
    depth: u8,
) -> ApiResult<Vec<Candidate>> {
    let cand = |sid: Uuid| Candidate {
        service_id: sid,
        enrollment_id: db.active_enrollment(caller.id, sid).map(|e| e.id),
        weight: 10,
    };
    match t.kind {
        Kind::Service => {
            let id = Uuid::parse_str(&t.ident).map_err(|_| ApiError::not_found("Service"))?;
            db.service(id)
                .map(|s| vec![cand(s.id)])
                .ok_or_else(|| ApiError::not_found("Service"))
        }
        Kind::Group => {
            let g = db
                .visible_group(Some(caller.id), &t.ident)
                .ok_or_else(|| ApiError::not_found("Group"))?;
            let mut members = g.members.clone();
            members.sort_by_key(|m| m.sort_order);
            let keyed: Vec<_> = members
                .iter()
                .filter(|m| m.routing_key.is_some() && key_subset(m.routing_key.as_ref(), rk))
                .cloned()
                .collect();
            let chosen = if rk.is_some() && !keyed.is_empty() {
                keyed
            } else {
                members
            };
            Ok(chosen
                .iter()
                .filter(|m| db.service(m.service_id).is_some())
                .map(|m| cand(m.service_id))
                .collect())
        }
        Kind::Alias => {
            if depth > 4 {
                return Err(ApiError::BadRequest("Alias resolution loops".into()));
            }
            let a = alias(db, caller, &t.ident, rk).ok_or_else(|| ApiError::not_found("Alias"))?;
            let inner = parse(&a.target_path)?;
            let rk2 = match &a.routing_key_override {
                Some(Value::Object(m)) => Some(m.clone()),
                _ => rk.cloned(),
            };
            candidates(db, caller, &inner, rk2.as_ref(), depth + 1)
        }
    }
}
