//! Parsing of query strings, path parameters and JSON bodies into FastAPI-shaped 422s.

use crate::errors::{loc, ApiError, ApiResult};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

/// Parsed query string with typed, validating accessors.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

/// Parses a boolean the way pydantic does in lax mode.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" | "t" | "y" => Some(true),
        "false" | "0" | "no" | "off" | "f" | "n" => Some(false),
        _ => None,
    }
}

fn int_error(kind: &str, l: Vec<Value>, raw: Value) -> ApiError {
    let msg = match kind {
        "int_type" => "Input should be a valid integer",
        "int_from_float" => "Input should be a valid integer, got a number with a fractional part",
        "int_out_of_range" => {
            "Input should be an integer between -9223372036854775808 and 9223372036854775807"
        }
        _ => "Input should be a valid integer, unable to parse string as an integer",
    };
    ApiError::invalid(kind, l, msg, raw)
}

/// Parses integer text, telling a well-formed number too large for 64 bits from garbage.
fn parse_int_text(raw: &str, l: Vec<Value>) -> ApiResult<i64> {
    let t = raw.trim();
    t.parse().map_err(|_| {
        let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
        let kind = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            "int_out_of_range"
        } else {
            "int_parsing"
        };
        int_error(kind, l, Value::from(raw))
    })
}

/// Parses a UUID, answering with the parser's own account of what is wrong with `raw`.
fn parse_uuid(raw: &str, l: Vec<Value>) -> ApiResult<Uuid> {
    Uuid::parse_str(raw).map_err(|e| {
        let msg = format!("Input should be a valid UUID, {e}");
        ApiError::invalid("uuid_parsing", l, &msg, Value::from(raw))
    })
}

fn check_range(
    v: i64,
    min: Option<i64>,
    max: Option<i64>,
    l: Vec<Value>,
    raw: Value,
) -> ApiResult<i64> {
    if let Some(min) = min {
        if v < min {
            let msg = format!("Input should be greater than or equal to {min}");
            return Err(ApiError::invalid("greater_than_equal", l, &msg, raw));
        }
    }
    if let Some(max) = max {
        if v > max {
            let msg = format!("Input should be less than or equal to {max}");
            return Err(ApiError::invalid("less_than_equal", l, &msg, raw));
        }
    }
    Ok(v)
}

/// Validates a path parameter as a UUID.
pub fn path_uuid(name: &str, raw: &str) -> ApiResult<Uuid> {
    parse_uuid(raw, loc(&["path", name]))
}

impl Query {
    /// Parses a raw (still percent-encoded) query string.
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .map(|r| form_urlencoded::parse(r.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        Query { pairs }
    }

    /// Builds a query from decoded pairs.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Query { pairs }
    }

    /// Re-encodes the query (without a leading `?`).
    pub fn encode(&self) -> String {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.pairs {
            ser.append_pair(k, v);
        }
        ser.finish()
    }

    /// Returns all pairs in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// Returns the last value given for `k`.
    pub fn get(&self, k: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }

    /// Tells whether `k` is present at all (value may be empty).
    pub fn has(&self, k: &str) -> bool {
        self.pairs.iter().any(|(n, _)| n == k)
    }

    /// Returns the value of `k` as an owned string.
    pub fn string(&self, k: &str) -> Option<String> {
        self.get(k).map(str::to_string)
    }

    /// Reads an optional integer within bounds.
    pub fn opt_int(&self, k: &str, min: Option<i64>, max: Option<i64>) -> ApiResult<Option<i64>> {
        let Some(raw) = self.get(k) else {
            return Ok(None);
        };
        let l = loc(&["query", k]);
        let v = parse_int_text(raw, l.clone())?;
        check_range(v, min, max, l, Value::from(raw)).map(Some)
    }

    /// Reads an integer with a default within bounds.
    pub fn int(&self, k: &str, default: i64, min: Option<i64>, max: Option<i64>) -> ApiResult<i64> {
        Ok(self.opt_int(k, min, max)?.unwrap_or(default))
    }

    /// Reads an optional boolean.
    pub fn opt_bool(&self, k: &str) -> ApiResult<Option<bool>> {
        let Some(raw) = self.get(k) else {
            return Ok(None);
        };
        parse_bool(raw).map(Some).ok_or_else(|| {
            ApiError::invalid(
                "bool_parsing",
                loc(&["query", k]),
                "Input should be a valid boolean, unable to interpret input",
                Value::from(raw),
            )
        })
    }

    /// Reads a boolean with a default.
    pub fn bool(&self, k: &str, default: bool) -> ApiResult<bool> {
        Ok(self.opt_bool(k)?.unwrap_or(default))
    }

    /// Reads an optional UUID.
    pub fn uuid(&self, k: &str) -> ApiResult<Option<Uuid>> {
        let Some(raw) = self.get(k) else {
            return Ok(None);
        };
        parse_uuid(raw, loc(&["query", k])).map(Some)
    }

    /// Reads an optional RFC 3339 timestamp.
    pub fn datetime(&self, k: &str) -> ApiResult<Option<DateTime<Utc>>> {
        let Some(raw) = self.get(k) else {
            return Ok(None);
        };
        parse_datetime(raw).map(Some).ok_or_else(|| {
            ApiError::invalid(
                "datetime_from_date_parsing",
                loc(&["query", k]),
                "Input should be a valid datetime or date",
                Value::from(raw),
            )
        })
    }

    /// Reads an optional value that must be one of `allowed`.
    pub fn choice(&self, k: &str, allowed: &[&str], default: &str) -> ApiResult<String> {
        let Some(raw) = self.get(k) else {
            return Ok(default.to_string());
        };
        if allowed.contains(&raw) {
            return Ok(raw.to_string());
        }
        let msg = format!("Input should be {}", quoted_list(allowed));
        Err(ApiError::invalid(
            "literal_error",
            loc(&["query", k]),
            &msg,
            Value::from(raw),
        ))
    }
}

fn quoted_list(allowed: &[&str]) -> String {
    let quoted: Vec<String> = allowed.iter().map(|a| format!("'{a}'")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

/// Parses an RFC 3339 timestamp, also accepting a naive one as UTC.
pub fn parse_datetime(raw: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(raw) {
        return Some(d.with_timezone(&Utc));
    }
    chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

/// Parses a request body as JSON, rendering FastAPI's errors for empty or malformed input.
pub fn json_body(bytes: &Bytes) -> ApiResult<Value> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ApiError::missing(loc(&["body"]), Value::Null));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let pos = e.column().saturating_sub(1);
        ApiError::invalid(
            "json_invalid",
            vec![Value::from("body"), Value::from(pos)],
            "JSON decode error",
            serde_json::json!({}),
        )
        .with_ctx(&e.to_string())
    })
}

impl ApiError {
    fn with_ctx(self, err: &str) -> Self {
        match self {
            ApiError::Validation(mut items) => {
                if let Some(Value::Object(m)) = items.first_mut() {
                    m.insert("ctx".into(), serde_json::json!({"error": err}));
                }
                ApiError::Validation(items)
            }
            other => other,
        }
    }
}

/// A JSON object body with field accessors that produce located 422s.
#[derive(Debug, Clone)]
pub struct Obj {
    map: Map<String, Value>,
    prefix: Vec<Value>,
}

/// Interprets `v` as an object at location `prefix`.
pub fn object_at(v: Value, prefix: Vec<Value>) -> ApiResult<Obj> {
    match v {
        Value::Object(map) => Ok(Obj { map, prefix }),
        other => Err(ApiError::invalid(
            "model_attributes_type",
            prefix,
            "Input should be a valid dictionary or object to extract fields from",
            other,
        )),
    }
}

/// Parses a body that must be a JSON object.
pub fn body_object(bytes: &Bytes) -> ApiResult<Obj> {
    object_at(json_body(bytes)?, loc(&["body"]))
}

/// Parses a body that must be a JSON array of objects.
pub fn body_array(bytes: &Bytes) -> ApiResult<Vec<Obj>> {
    match json_body(bytes)? {
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| object_at(v, vec![Value::from("body"), Value::from(i)]))
            .collect(),
        other => Err(ApiError::invalid(
            "list_type",
            loc(&["body"]),
            "Input should be a valid list",
            other,
        )),
    }
}

/// The JSON type of a field that has a default but does not take `null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotNull {
    /// A string.
    Str,
    /// An integer.
    Int,
    /// A boolean.
    Bool,
    /// An array.
    List,
    /// One of these strings.
    Choice(&'static [&'static str]),
}

/// Request-body fields the platform spec gives a default but not `null`, by schema.
///
/// Pydantic fills the default only when the field is absent; an explicit `null` is a 422.
/// `tests/schema.rs` derives the same set from the spec and compares, so this table cannot
/// drift from the document without a red test (the crate does not ship the spec itself).
pub const NOT_NULLABLE: &[(&str, &str, NotNull)] = &[
    ("AccountFileUploadRequest", "path", NotNull::Str),
    (
        "AccountFileUploadRequest",
        "scope",
        NotNull::Choice(&["personal", "shared"]),
    ),
    (
        "BroadcastCreate",
        "mode",
        NotNull::Choice(&["sync", "async"]),
    ),
    ("BroadcastCreate", "target_timeout_ms", NotNull::Int),
    ("BroadcastCreate", "enabled", NotNull::Bool),
    ("BroadcastTargetCreate", "sort_order", NotNull::Int),
    ("ChainCreate", "default_timeout_ms", NotNull::Int),
    ("ChainCreate", "enabled", NotNull::Bool),
    ("ChainStepCreate", "on_success", NotNull::Str),
    ("ChainStepCreate", "on_failure", NotNull::Str),
    ("CustomerGroupMembershipUpdate", "group_ids", NotNull::List),
    (
        "CustomerGroupMembershipUpdate",
        "include_default",
        NotNull::Bool,
    ),
    ("RecurrentRequestCreate", "http_method", NotNull::Str),
    (
        "ResolveRequest",
        "gateway",
        NotNull::Choice(&["api", "s3", "smtp"]),
    ),
    ("ServiceAliasCreate", "is_routing", NotNull::Bool),
    ("ServiceCollectionMemberCreate", "sort_order", NotNull::Int),
];

impl NotNull {
    fn error(self) -> (&'static str, String) {
        match self {
            NotNull::Str => ("string_type", "Input should be a valid string".into()),
            NotNull::Int => ("int_type", "Input should be a valid integer".into()),
            NotNull::Bool => ("bool_type", "Input should be a valid boolean".into()),
            NotNull::List => ("list_type", "Input should be a valid list".into()),
            NotNull::Choice(allowed) => {
                let quoted: Vec<String> = allowed.iter().map(|a| format!("'{a}'")).collect();
                let msg = match quoted.split_last() {
                    Some((last, rest)) if !rest.is_empty() => {
                        format!("Input should be {} or {last}", rest.join(", "))
                    }
                    _ => format!("Input should be {}", quoted.join("")),
                };
                ("enum", msg)
            }
        }
    }
}

impl Obj {
    fn at(&self, k: &str) -> Vec<Value> {
        let mut l = self.prefix.clone();
        l.push(Value::from(k));
        l
    }

    /// Refuses `null` in every field of `schema` listed in [`NOT_NULLABLE`], all at once.
    pub fn refuse_nulls(&self, schema: &str) -> ApiResult<()> {
        let items: Vec<Value> = NOT_NULLABLE
            .iter()
            .filter(|(s, f, _)| *s == schema && self.map.get(*f) == Some(&Value::Null))
            .map(|(_, f, kind)| {
                let (t, msg) = kind.error();
                crate::errors::item(t, self.at(f), &msg, Value::Null)
            })
            .collect();
        if items.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(items))
        }
    }

    /// Tells whether the field is present (even if null).
    pub fn has(&self, k: &str) -> bool {
        self.map.contains_key(k)
    }

    /// Returns the raw value of a field.
    pub fn raw(&self, k: &str) -> Option<&Value> {
        self.map.get(k)
    }

    fn whole(&self) -> Value {
        Value::Object(self.map.clone())
    }

    /// Reads an optional nullable string with an optional max length.
    pub fn opt_str(&self, k: &str, max: Option<usize>) -> ApiResult<Option<String>> {
        match self.map.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => {
                if let Some(max) = max {
                    if s.chars().count() > max {
                        let msg = format!("String should have at most {max} characters");
                        return Err(ApiError::invalid(
                            "string_too_long",
                            self.at(k),
                            &msg,
                            Value::from(s.as_str()),
                        ));
                    }
                }
                Ok(Some(s.clone()))
            }
            Some(other) => Err(ApiError::invalid(
                "string_type",
                self.at(k),
                "Input should be a valid string",
                other.clone(),
            )),
        }
    }

    /// Reads a required string.
    pub fn req_str(&self, k: &str, max: Option<usize>) -> ApiResult<String> {
        if matches!(self.map.get(k), Some(Value::Null)) {
            return Err(ApiError::invalid(
                "string_type",
                self.at(k),
                "Input should be a valid string",
                Value::Null,
            ));
        }
        self.opt_str(k, max)?
            .ok_or_else(|| ApiError::missing(self.at(k), self.whole()))
    }

    /// Reads an optional nullable integer.
    pub fn opt_int(&self, k: &str) -> ApiResult<Option<i64>> {
        match self.map.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(i) => Ok(Some(i)),
                None => match n.as_f64() {
                    Some(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Ok(Some(f as i64)),
                    // A whole number past i64 (u64 or a big exponent) is out of range, not a
                    // fraction.
                    Some(f) if n.is_u64() || f.fract() == 0.0 => Err(int_error(
                        "int_out_of_range",
                        self.at(k),
                        Value::Number(n.clone()),
                    )),
                    _ => Err(int_error(
                        "int_from_float",
                        self.at(k),
                        Value::Number(n.clone()),
                    )),
                },
            },
            Some(Value::String(s)) => parse_int_text(s, self.at(k)).map(Some),
            Some(other) => Err(int_error("int_type", self.at(k), other.clone())),
        }
    }

    /// Reads a required integer.
    pub fn req_int(&self, k: &str) -> ApiResult<i64> {
        self.opt_int(k)?
            .ok_or_else(|| ApiError::missing(self.at(k), self.whole()))
    }

    /// Reads an optional nullable boolean.
    pub fn opt_bool(&self, k: &str) -> ApiResult<Option<bool>> {
        match self.map.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if parse_bool(s).is_some() => Ok(parse_bool(s)),
            Some(Value::Number(n)) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => {
                Ok(Some(n.as_i64() == Some(1)))
            }
            Some(other) => Err(ApiError::invalid(
                "bool_type",
                self.at(k),
                "Input should be a valid boolean",
                other.clone(),
            )),
        }
    }

    /// Reads an optional nullable UUID.
    pub fn opt_uuid(&self, k: &str) -> ApiResult<Option<Uuid>> {
        match self.map.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => parse_uuid(s, self.at(k)).map(Some),
            Some(other) => Err(ApiError::invalid(
                "uuid_type",
                self.at(k),
                "UUID input should be a string, bytes or UUID object",
                other.clone(),
            )),
        }
    }

    /// Reads a required UUID.
    pub fn req_uuid(&self, k: &str) -> ApiResult<Uuid> {
        self.opt_uuid(k)?
            .ok_or_else(|| ApiError::missing(self.at(k), self.whole()))
    }

    /// Reads an optional nullable JSON object.
    pub fn opt_obj(&self, k: &str) -> ApiResult<Option<Map<String, Value>>> {
        match self.map.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m.clone())),
            Some(other) => Err(ApiError::invalid(
                "dict_type",
                self.at(k),
                "Input should be a valid dictionary",
                other.clone(),
            )),
        }
    }

    /// Reads an optional nullable object whose values must all be strings.
    pub fn opt_str_map(&self, k: &str) -> ApiResult<Option<Map<String, Value>>> {
        let Some(m) = self.opt_obj(k)? else {
            return Ok(None);
        };
        for (key, v) in &m {
            if !v.is_string() {
                let mut l = self.at(k);
                l.push(Value::from(key.as_str()));
                return Err(ApiError::invalid(
                    "string_type",
                    l,
                    "Input should be a valid string",
                    v.clone(),
                ));
            }
        }
        Ok(Some(m))
    }

    /// Reads an optional string restricted to `allowed`.
    pub fn opt_choice(&self, k: &str, allowed: &[&str]) -> ApiResult<Option<String>> {
        match self.opt_str(k, None)? {
            None => Ok(None),
            Some(s) if allowed.contains(&s.as_str()) => Ok(Some(s)),
            Some(s) => {
                let msg = format!("Input should be {}", quoted_list(allowed));
                Err(ApiError::invalid("enum", self.at(k), &msg, Value::from(s)))
            }
        }
    }

    /// Reads an optional array of sub-objects.
    pub fn opt_objects(&self, k: &str) -> ApiResult<Option<Vec<Obj>>> {
        match self.map.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let mut l = self.at(k);
                    l.push(Value::from(i));
                    object_at(v.clone(), l)
                })
                .collect::<ApiResult<Vec<_>>>()
                .map(Some),
            Some(other) => Err(ApiError::invalid(
                "list_type",
                self.at(k),
                "Input should be a valid list",
                other.clone(),
            )),
        }
    }

    /// Reads an optional array of UUIDs.
    pub fn opt_uuid_list(&self, k: &str) -> ApiResult<Option<Vec<Uuid>>> {
        match self.map.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for (i, v) in items.iter().enumerate() {
                    let mut l = self.at(k);
                    l.push(Value::from(i));
                    match v.as_str() {
                        Some(s) => out.push(parse_uuid(s, l)?),
                        None => {
                            return Err(ApiError::invalid(
                                "uuid_type",
                                l,
                                "UUID input should be a string, bytes or UUID object",
                                v.clone(),
                            ))
                        }
                    }
                }
                Ok(Some(out))
            }
            Some(other) => Err(ApiError::invalid(
                "list_type",
                self.at(k),
                "Input should be a valid list",
                other.clone(),
            )),
        }
    }
}
