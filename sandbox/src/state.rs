//! In-memory state shared by every handler of one sandbox.

use crate::limits::Limits;
use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use uuid::Uuid;

/// Shared handle to one sandbox's state.
pub type AppState = Arc<Shared>;

/// The state plus the addresses the sandbox advertises.
#[derive(Debug)]
pub struct Shared {
    /// Gateway root URL advertised in interfaces, e.g. `http://127.0.0.1:PORT`.
    pub gateway_root: String,
    /// Size and shape limits on what clients send.
    pub limits: Limits,
    db: Mutex<Db>,
}

impl Shared {
    /// Creates seeded state advertising `gateway_root` as the gateway address.
    pub fn new(gateway_root: &str) -> AppState {
        Self::with_limits(gateway_root, Limits::default())
    }

    /// Like [`Shared::new`] with chosen limits.
    pub fn with_limits(gateway_root: &str, limits: Limits) -> AppState {
        let root = gateway_root.trim_end_matches('/').to_string();
        Arc::new(Shared {
            db: Mutex::new(crate::catalog::seed()),
            gateway_root: root,
            limits,
        })
    }

    /// Locks the database; a poisoned lock is recovered since every writer keeps it consistent.
    pub fn db(&self) -> MutexGuard<'_, Db> {
        self.db.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Returns the control-plane base URL.
    pub fn base_url(&self) -> String {
        format!("{}/v1", self.gateway_root)
    }
}

/// Current time, truncated to microseconds like the platform's database.
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

/// A customer account with its API key.
#[derive(Debug, Clone)]
pub struct Customer {
    /// Customer (organisation) id.
    pub id: Uuid,
    /// The user behind the key.
    pub user_id: Uuid,
    /// The bearer key.
    pub key: String,
}

/// A seeded access interface template of a service.
#[derive(Debug, Clone)]
pub struct InterfaceSeed {
    /// Interface key, e.g. `canonical`.
    pub name: String,
    /// Human description.
    pub description: String,
    /// True when it only exists for callers with an active enrollment.
    pub byok: bool,
}

/// A seeded service document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Document id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Category enum value.
    pub category: String,
    /// Mime type (language for code examples).
    pub mime_type: String,
    /// Content template; `{base_url}` is rendered per interface.
    pub content: String,
}

/// A catalog service.
#[derive(Debug, Clone)]
pub struct Service {
    /// Service id.
    pub id: Uuid,
    /// Unique name.
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// Provider name.
    pub provider_name: String,
    /// Service type, e.g. `llm`.
    pub service_type: String,
    /// Description.
    pub description: String,
    /// Capabilities.
    pub capabilities: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Creation time (distinct per service, drives paging order).
    pub created_at: DateTime<Utc>,
    /// Interfaces.
    pub interfaces: Vec<InterfaceSeed>,
    /// `disallowed`, `optional` or `required`.
    pub enrollment_mode: String,
    /// Documents.
    pub documents: Vec<Document>,
}

/// A collection member.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    /// Member id.
    pub id: Uuid,
    /// Service id.
    pub service_id: Uuid,
    /// Routing key.
    pub routing_key: Option<Value>,
    /// Sort order.
    pub sort_order: i64,
}

/// A system group or a customer collection.
#[derive(Debug, Clone)]
pub struct Group {
    /// Group id.
    pub id: Uuid,
    /// Name (unique per owner).
    pub name: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Owning customer, or `None` for a system group.
    pub owner: Option<Uuid>,
    /// Group type enum value.
    pub group_type: String,
    /// Enabled flag.
    pub enabled: bool,
    /// Members in insertion order.
    pub members: Vec<Member>,
    /// Whether the group has a user-facing gateway interface.
    pub has_interface: bool,
}

/// A customer secret.
#[derive(Debug, Clone, Serialize)]
pub struct Secret {
    /// Secret id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Always `customer` here.
    pub owner_type: String,
    /// Role id (unused).
    pub role_id: Option<Uuid>,
    /// Owning user for personal secrets.
    pub owner_id: Option<Uuid>,
    /// Whether the value is hidden on reads.
    pub sensitive: bool,
    /// The value as answered (hidden when sensitive).
    pub value: Option<String>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: Option<DateTime<Utc>>,
    /// Last used at.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Owning customer.
    #[serde(skip)]
    pub customer_id: Uuid,
    /// The stored value.
    #[serde(skip)]
    pub stored: String,
}

/// A service alias.
#[derive(Debug, Clone, Serialize)]
pub struct Alias {
    /// Alias id.
    pub id: Uuid,
    /// Owning customer.
    pub customer_id: Uuid,
    /// Owning user, `None` when shared.
    pub owner_id: Option<Uuid>,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Routing key the alias answers to.
    pub request_routing_key: Option<Value>,
    /// Gateway-relative target.
    pub target_path: String,
    /// Routing key override.
    pub routing_key_override: Option<Value>,
    /// Whether this target currently routes.
    pub is_routing: bool,
    /// Free-form details.
    pub details: Option<Value>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: Option<DateTime<Utc>>,
    /// Deactivation time.
    pub deactivated_at: Option<DateTime<Utc>>,
}

/// A service enrollment.
#[derive(Debug, Clone)]
pub struct Enrollment {
    /// Enrollment id.
    pub id: Uuid,
    /// Service id.
    pub service_id: Uuid,
    /// Owning customer.
    pub customer_id: Uuid,
    /// Owning user, `None` when shared.
    pub owner_id: Option<Uuid>,
    /// Parameters.
    pub parameters: Option<Value>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// When it turns active on its own.
    pub activate_at: DateTime<Utc>,
    /// Set when cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Explicit status override (e.g. `paused`).
    pub forced_status: Option<String>,
}

impl Enrollment {
    /// Computes the status lazily from the clock.
    pub fn status(&self) -> &str {
        if self.cancelled_at.is_some() {
            "cancelled"
        } else if let Some(s) = &self.forced_status {
            s
        } else if now() >= self.activate_at {
            "active"
        } else {
            "pending"
        }
    }

    /// Last change time.
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.cancelled_at.unwrap_or(if now() >= self.activate_at {
            self.activate_at
        } else {
            self.created_at
        })
    }
}

/// A recurrent (scheduled) request.
#[derive(Debug, Clone, Serialize)]
pub struct Recurrent {
    /// Id.
    pub id: Uuid,
    /// Status enum value.
    pub status: String,
    /// Owning customer.
    pub customer_id: Uuid,
    /// Service id.
    pub service_id: Option<Uuid>,
    /// Enrollment id.
    pub enrollment_id: Option<Uuid>,
    /// Request path (absolute URL or gateway-relative), stored verbatim.
    pub request_path: String,
    /// HTTP method.
    pub http_method: String,
    /// Body template.
    pub body_template: Option<Value>,
    /// Request headers.
    pub request_headers: Option<Value>,
    /// Schedule.
    pub schedule: Option<Value>,
    /// Execution state (last run etc.).
    pub state: Option<Value>,
    /// Name.
    pub name: Option<String>,
    /// Created at.
    pub created_at: String,
    /// Updated at.
    pub updated_at: Option<String>,
}

/// One gateway request-log row.
#[derive(Debug, Clone)]
pub struct LogRow {
    /// Log id.
    pub id: Uuid,
    /// Owning customer.
    pub customer_id: Uuid,
    /// Calling user.
    pub user_id: Uuid,
    /// Time the request arrived.
    pub at: DateTime<Utc>,
    /// Method.
    pub method: String,
    /// Full gateway path with query.
    pub path: String,
    /// Status answered.
    pub status: u16,
    /// Elapsed milliseconds until headers.
    pub duration_ms: f64,
    /// Service reached, if known.
    pub service_id: Option<Uuid>,
    /// Enrollment used, if any.
    pub enrollment_id: Option<Uuid>,
    /// Request headers (minus authorization).
    pub request_headers: Map<String, Value>,
    /// Request body preview.
    pub request_body: Value,
    /// Request content type.
    pub content_type: String,
    /// Response headers.
    pub response_headers: Map<String, Value>,
    /// Response body preview.
    pub response_body: Value,
    /// `gateway` or `upstream` when the call failed.
    pub error_source: Option<String>,
    /// Error type when the call failed.
    pub error_type: Option<String>,
    /// Recurrent request that fired it.
    pub recurrent_request_id: Option<Uuid>,
}

/// A chain step.
#[derive(Debug, Clone, Serialize)]
pub struct ChainStep {
    /// Id.
    pub id: Uuid,
    /// Chain id.
    pub chain_id: Uuid,
    /// Name.
    pub name: String,
    /// Target path.
    pub target_path: String,
    /// Action on success.
    pub on_success: String,
    /// Action on failure.
    pub on_failure: String,
    /// Timeout.
    pub timeout_ms: Option<i64>,
    /// Sort order.
    pub sort_order: i64,
}

/// A chain.
#[derive(Debug, Clone, Serialize)]
pub struct Chain {
    /// Id.
    pub id: Uuid,
    /// Owning customer.
    pub customer_id: Uuid,
    /// Owning user, `None` when shared.
    pub owner_id: Option<Uuid>,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Default timeout.
    pub default_timeout_ms: i64,
    /// Enabled.
    pub enabled: bool,
    /// Details.
    pub details: Option<Value>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: Option<DateTime<Utc>>,
    /// Steps.
    pub steps: Vec<ChainStep>,
}

/// A broadcast target.
#[derive(Debug, Clone, Serialize)]
pub struct BroadcastTarget {
    /// Id.
    pub id: Uuid,
    /// Broadcast id.
    pub broadcast_id: Uuid,
    /// Name.
    pub name: String,
    /// Target path.
    pub target_path: String,
    /// Routing key override.
    pub routing_key_override: Option<Value>,
    /// Sort order.
    pub sort_order: i64,
}

/// A broadcast.
#[derive(Debug, Clone, Serialize)]
pub struct Broadcast {
    /// Id.
    pub id: Uuid,
    /// Owning customer.
    pub customer_id: Uuid,
    /// Owning user, `None` when shared.
    pub owner_id: Option<Uuid>,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// `sync` or `async`.
    pub mode: String,
    /// Per-target timeout.
    pub target_timeout_ms: i64,
    /// Enabled.
    pub enabled: bool,
    /// Details.
    pub details: Option<Value>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: Option<DateTime<Utc>>,
    /// Targets.
    pub targets: Vec<BroadcastTarget>,
}

/// A stored file object.
#[derive(Debug, Clone)]
pub struct FileObject {
    /// Content.
    pub data: Bytes,
    /// Last modification.
    pub last_modified: DateTime<Utc>,
}

/// A pending presigned upload or download ticket.
#[derive(Debug, Clone)]
pub struct FileTicket {
    /// Owning customer.
    pub customer_id: Uuid,
    /// `personal` or `shared`.
    pub scope: String,
    /// Object key.
    pub key: String,
    /// Size cap for uploads.
    pub max_bytes: u64,
    /// Expiry.
    pub expires: DateTime<Utc>,
}

/// A memoized gateway response.
#[derive(Debug, Clone)]
pub struct MemoEntry {
    /// Status.
    pub status: u16,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Bytes,
    /// Expiry.
    pub expires: DateTime<Utc>,
}

/// Everything the sandbox stores.
#[derive(Debug, Default)]
pub struct Db {
    /// Customers.
    pub customers: Vec<Customer>,
    /// Catalog services.
    pub services: Vec<Service>,
    /// System groups and customer collections.
    pub groups: Vec<Group>,
    /// Secrets.
    pub secrets: Vec<Secret>,
    /// Aliases.
    pub aliases: Vec<Alias>,
    /// Enrollments.
    pub enrollments: Vec<Enrollment>,
    /// Recurrent requests.
    pub recurrent: Vec<Recurrent>,
    /// Request logs, oldest first.
    pub logs: VecDeque<LogRow>,
    /// Logging mode per customer (`truncated` or `complete`) while on.
    pub logging: HashMap<Uuid, String>,
    /// Chains.
    pub chains: Vec<Chain>,
    /// Broadcasts.
    pub broadcasts: Vec<Broadcast>,
    /// Files keyed by (customer, scope, key).
    pub files: BTreeMap<(Uuid, String, String), FileObject>,
    /// Upload and download tickets by token.
    pub tickets: HashMap<String, FileTicket>,
    /// Memoized gateway answers.
    pub memo: HashMap<String, MemoEntry>,
    /// Fault-injection hit counters.
    pub fault_hits: HashMap<String, u32>,
    /// Gateway requests as received, oldest first (see [`crate::journal`]).
    pub journal: VecDeque<crate::journal::RecordedRequest>,
    /// Scripted upstream answers, oldest first; the newest matching one answers.
    pub scripts: Vec<crate::script::Script>,
}

impl Db {
    /// Finds the customer owning `key`.
    pub fn customer_by_key(&self, key: &str) -> Option<Customer> {
        self.customers.iter().find(|c| c.key == key).cloned()
    }

    /// Finds a service by id.
    pub fn service(&self, id: Uuid) -> Option<&Service> {
        self.services.iter().find(|s| s.id == id)
    }

    /// Finds a group visible to `customer` by name or id string.
    pub fn visible_group(&self, customer: Option<Uuid>, key: &str) -> Option<&Group> {
        let visible = |g: &&Group| g.owner.is_none() || g.owner == customer && customer.is_some();
        let id = Uuid::parse_str(key).ok();
        self.groups
            .iter()
            .filter(visible)
            .find(|g| g.owner.is_some() && g.name == key)
            .or_else(|| {
                self.groups
                    .iter()
                    .filter(visible)
                    .find(|g| g.name == key || Some(g.id) == id)
            })
    }

    /// Appends a log row, dropping the oldest rows beyond `max`.
    pub fn push_log(&mut self, row: LogRow, max: usize) {
        self.logs.push_back(row);
        while self.logs.len() > max {
            self.logs.pop_front();
        }
    }

    /// Stores a memoized answer, keeping at most `max` entries.
    ///
    /// Expired entries are dropped first; when that is not enough, the one closest to
    /// expiry goes, since it has the least caching left to offer.
    pub fn remember(&mut self, key: String, entry: MemoEntry, max: usize) {
        if max == 0 {
            return;
        }
        self.memo.insert(key, entry);
        if self.memo.len() <= max {
            return;
        }
        let t = now();
        self.memo.retain(|_, e| e.expires > t);
        while self.memo.len() > max {
            let soonest = self
                .memo
                .iter()
                .min_by_key(|(_, e)| e.expires)
                .map(|(k, _)| k.clone());
            match soonest {
                Some(k) => self.memo.remove(&k),
                None => break,
            };
        }
    }

    /// Finds the caller's active enrollment on a service.
    pub fn active_enrollment(&self, customer: Uuid, service: Uuid) -> Option<&Enrollment> {
        self.enrollments.iter().find(|e| {
            e.customer_id == customer && e.service_id == service && e.status() == "active"
        })
    }
}

/// Parses a duration like `500ms`, `30s`, `10m`, `1h`, `7d` (bare number = seconds).
pub fn parse_duration(raw: &str) -> Option<Duration> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (num, unit) = raw.split_at(split);
    let n: i64 = num.parse().ok()?;
    if n > 10_000_000 {
        return None;
    }
    match unit {
        "ms" => Some(Duration::milliseconds(n)),
        "" | "s" => Some(Duration::seconds(n)),
        "m" => Some(Duration::minutes(n)),
        "h" => Some(Duration::hours(n)),
        "d" => Some(Duration::days(n)),
        _ => None,
    }
}
