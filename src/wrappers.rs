//! Pure builder for gateway paths decorated with wrapper primitives.
//!
//! A gateway target is a service (`p/<id>`), a group (`g/<name>`), an alias
//! (`a/<id-or-name>`) or a raw gateway-relative path. Wrappers are path
//! prefixes with their options carried in the query string:
//!
//! | prefix | wrapper   | query parameters                          |
//! |--------|-----------|-------------------------------------------|
//! | `l/`   | log       | `_complete=` (complete capture)           |
//! | `m/`   | memoize   | `_ttl=<dur>`, `_renew=`                   |
//! | `f/`   | failover  | `_else=<secondary path>`                  |
//! | `t/`   | tee       | `_to=<secondary path>`                    |
//! | `d/`   | delayed   | `_at=<iso-8601>` xor `_in=<dur>`          |
//! | `r/`   | recurrent | `_every=<dur>`                            |
//!
//! Fluent calls on [`GatewayPath`] each wrap the target they are called on, so
//! the last call is the outermost prefix, and query parameters appear in the
//! order the wrappers were applied (innermost first). [`build_path`] applies
//! several wrappers at once in the canonical order `l, m, f, t, d, r`: prefixes
//! read left to right in that order (log outermost, recurrent innermost) and
//! their query parameters follow the same order.
//!
//! Values are `application/x-www-form-urlencoded`, so a secondary path
//! (including its own wrapper query) is fully escaped; presence-only flags are
//! written with an empty value.
//!
//! ```
//! use unitysvc::wrappers::{GatewayDuration, GatewayPath};
//!
//! let ttl: GatewayDuration = "1h".parse().unwrap();
//! let p = GatewayPath::service("x").logged(false).cached(Some(ttl), false);
//! assert_eq!(p.to_string(), "m/l/p/x?_ttl=1h");
//! assert_eq!(p.with_subpath("v1/chat/completions"), "m/l/p/x/v1/chat/completions?_ttl=1h");
//! ```

use chrono::{DateTime, SecondsFormat, Utc};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;
use std::time::Duration;

/// Errors raised while building wrapped gateway paths.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WrapperError {
    /// The path is an absolute URL (contains `://`) rather than gateway-relative.
    AbsoluteUrl(String),
    /// The path is empty after dropping leading slashes.
    EmptyPath,
    /// The path could leave its target: a `.` or `..` segment (plain or percent-encoded),
    /// a backslash, an empty segment, a fragment, or a control or whitespace character.
    UnsafePath {
        /// The offending path.
        path: String,
        /// What makes it unsafe.
        reason: &'static str,
    },
    /// A delayed wrapper needs exactly one of `at` or `in`.
    DelayNeedsExactlyOne,
    /// The duration is zero, sub-second, too large, or not of the form `<n>[smhd]`.
    InvalidDuration(String),
    /// The timestamp is not an RFC 3339 date-time.
    InvalidTimestamp(String),
}

impl fmt::Display for WrapperError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AbsoluteUrl(p) => {
                write!(f, "gateway path must be relative, got absolute URL {p:?}")
            }
            Self::EmptyPath => f.write_str("gateway path is empty"),
            Self::UnsafePath { path, reason } => {
                write!(f, "gateway path {path:?} is refused: {reason}")
            }
            Self::DelayNeedsExactlyOne => {
                f.write_str("delayed wrapper needs exactly one of `at` or `in`")
            }
            Self::InvalidDuration(d) => write!(
                f,
                "invalid gateway duration {d:?} (expected a whole, non-zero number of s/m/h/d)"
            ),
            Self::InvalidTimestamp(t) => write!(
                f,
                "invalid timestamp {t:?} (expected RFC 3339, e.g. 2026-06-01T10:00:00Z)"
            ),
        }
    }
}

impl std::error::Error for WrapperError {}

/// Units from largest to smallest, so the first exact one is the most compact.
const UNITS: [(char, u64); 4] = [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];

/// A whole, non-zero number of seconds written as `<n>[smhd]`.
///
/// A parsed duration keeps the unit it was written with (`"60s"` stays `60s` on the
/// wire); one built from seconds or a [`Duration`] uses the largest exact unit. Equality,
/// ordering and hashing compare the length, so `60s == 1m`.
///
/// ```
/// use std::time::Duration;
/// use unitysvc::wrappers::GatewayDuration;
///
/// let d = GatewayDuration::try_from(Duration::from_secs(600)).unwrap();
/// assert_eq!(d.to_string(), "10m");
/// assert_eq!("60s".parse::<GatewayDuration>().unwrap().to_string(), "60s");
/// assert_eq!("2d".parse::<GatewayDuration>().unwrap().as_secs(), 172_800);
/// assert!("1.5h".parse::<GatewayDuration>().is_err());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct GatewayDuration {
    count: u64,
    unit: char,
    secs: u64,
}

impl GatewayDuration {
    /// Creates a duration from whole seconds, written in the largest exact unit; zero is
    /// rejected.
    pub fn from_secs(secs: u64) -> Result<Self, WrapperError> {
        if secs == 0 {
            return Err(WrapperError::InvalidDuration("0s".into()));
        }
        // `UNITS` ends with seconds (factor 1), so some unit always divides exactly.
        let (unit, factor) = UNITS
            .iter()
            .copied()
            .find(|&(_, n)| secs.is_multiple_of(n))
            .unwrap_or(('s', 1));
        Ok(Self {
            count: secs / factor,
            unit,
            secs,
        })
    }

    /// Returns the duration in whole seconds.
    pub fn as_secs(self) -> u64 {
        self.secs
    }

    /// Returns the duration as a [`std::time::Duration`].
    pub fn as_duration(self) -> Duration {
        Duration::from_secs(self.secs)
    }
}

impl PartialEq for GatewayDuration {
    fn eq(&self, other: &Self) -> bool {
        self.secs == other.secs
    }
}

impl Eq for GatewayDuration {}

impl Hash for GatewayDuration {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.secs.hash(state);
    }
}

impl PartialOrd for GatewayDuration {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for GatewayDuration {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.secs.cmp(&other.secs)
    }
}

impl TryFrom<Duration> for GatewayDuration {
    type Error = WrapperError;

    fn try_from(d: Duration) -> Result<Self, Self::Error> {
        if d.subsec_nanos() != 0 || d.as_secs() == 0 {
            return Err(WrapperError::InvalidDuration(format!("{d:?}")));
        }
        Self::from_secs(d.as_secs())
    }
}

impl From<GatewayDuration> for Duration {
    fn from(d: GatewayDuration) -> Self {
        d.as_duration()
    }
}

impl fmt::Display for GatewayDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.count, self.unit)
    }
}

impl FromStr for GatewayDuration {
    type Err = WrapperError;

    /// Parses `^[1-9][0-9]*[smhd]$`, e.g. `30s`, `10m`, `1h`, `2d`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || WrapperError::InvalidDuration(s.to_owned());
        let unit = s.chars().last().ok_or_else(err)?;
        let digits = &s[..s.len() - unit.len_utf8()];
        let valid_digits = digits.starts_with(|c: char| matches!(c, '1'..='9'))
            && digits.bytes().all(|b| b.is_ascii_digit());
        if !valid_digits {
            return Err(err());
        }
        let factor = UNITS
            .iter()
            .find(|&&(u, _)| u == unit)
            .map(|&(_, n)| n)
            .ok_or_else(err)?;
        let count: u64 = digits.parse().map_err(|_| err())?;
        let secs = count.checked_mul(factor).ok_or_else(err)?;
        Ok(Self { count, unit, secs })
    }
}

/// When a delayed (`d/`) wrapper fires: at a moment or after a duration.
///
/// ```
/// use unitysvc::wrappers::Delay;
///
/// assert!(Delay::at("2026-06-01T10:00:00Z").is_ok());
/// assert!(Delay::at("2026-99-99T99:99:99Z").is_err());
/// let soon = Delay::after("90s".parse().unwrap());
/// # let _ = soon;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Delay(DelayKind);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum DelayKind {
    /// The caller's RFC 3339 text, kept as written after it parsed.
    At(String),
    In(GatewayDuration),
}

impl Delay {
    /// Runs at an RFC 3339 timestamp such as `2026-06-01T10:00:00Z`, sent as written.
    ///
    /// # Errors
    ///
    /// [`WrapperError::InvalidTimestamp`] when chrono cannot parse it as RFC 3339.
    pub fn at(timestamp: &str) -> Result<Self, WrapperError> {
        DateTime::parse_from_rfc3339(timestamp)
            .map(|_| Self(DelayKind::At(timestamp.to_owned())))
            .map_err(|_| WrapperError::InvalidTimestamp(timestamp.to_owned()))
    }

    /// Runs at `when`, sent in UTC with second precision or finer as needed.
    pub fn at_time(when: DateTime<Utc>) -> Self {
        Self(DelayKind::At(
            when.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        ))
    }

    /// Runs after `delay`.
    pub fn after(delay: GatewayDuration) -> Self {
        Self(DelayKind::In(delay))
    }

    /// Builds a delay from exactly one of `at` or `in_`; both or neither is an error.
    ///
    /// ```
    /// use unitysvc::wrappers::{Delay, WrapperError};
    ///
    /// assert_eq!(Delay::new(None, None), Err(WrapperError::DelayNeedsExactlyOne));
    /// assert!(Delay::new(Some("2026-06-01T10:00:00Z"), None).is_ok());
    /// ```
    pub fn new(at: Option<&str>, in_: Option<GatewayDuration>) -> Result<Self, WrapperError> {
        match (at, in_) {
            (Some(ts), None) => Self::at(ts),
            (None, Some(d)) => Ok(Self::after(d)),
            _ => Err(WrapperError::DelayNeedsExactlyOne),
        }
    }

    fn param(&self) -> (&'static str, String) {
        match &self.0 {
            DelayKind::At(ts) => ("_at", ts.clone()),
            DelayKind::In(d) => ("_in", d.to_string()),
        }
    }
}

impl From<DateTime<Utc>> for Delay {
    fn from(when: DateTime<Utc>) -> Self {
        Self::at_time(when)
    }
}

impl From<GatewayDuration> for Delay {
    fn from(delay: GatewayDuration) -> Self {
        Self::after(delay)
    }
}

/// A gateway-relative path plus its wrapper query, e.g. `m/l/p/<id>?_ttl=1h`.
///
/// ```
/// use unitysvc::wrappers::GatewayPath;
///
/// let backup = GatewayPath::service("b");
/// let p = GatewayPath::raw("/p/a?x=1").unwrap().logged(true).with_failover(&backup).unwrap();
/// assert_eq!(p.to_string(), "f/l/p/a?x=1&_complete=&_else=p%2Fb");
/// assert!(GatewayPath::raw("https://example.com/p/a").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GatewayPath {
    path: String,
    /// Raw query text without the `?`, kept verbatim.
    query: String,
}

impl GatewayPath {
    /// Targets a service by id: `p/<id>`; the id is percent-encoded as one path segment.
    pub fn service(id: impl fmt::Display) -> Self {
        Self::from_path(format!("p/{}", encode_segment(&id.to_string())))
    }

    /// Targets a service group by name: `g/<name>`; the name is percent-encoded as one
    /// path segment, so `/`, `?`, `#` and spaces cannot change where the request goes.
    pub fn group(name: &str) -> Self {
        Self::from_path(format!("g/{}", encode_segment(name)))
    }

    /// Targets an alias by id or name: `a/<id-or-name>`, encoded as one path segment.
    pub fn alias(id_or_name: &str) -> Self {
        Self::from_path(format!("a/{}", encode_segment(id_or_name)))
    }

    /// Parses a raw gateway-relative path, dropping one leading `/` and keeping any query
    /// verbatim.
    ///
    /// # Errors
    ///
    /// An absolute URL, an empty path, or a path that could leave its target (see
    /// [`check_path`]).
    pub fn raw(path: &str) -> Result<Self, WrapperError> {
        check_relative(path)?;
        let trimmed = path.strip_prefix('/').unwrap_or(path);
        let (p, q) = trimmed.split_once('?').unwrap_or((trimmed, ""));
        if p.is_empty() {
            return Err(WrapperError::EmptyPath);
        }
        check_path(path.split_once('?').map_or(path, |(p, _)| p))?;
        Ok(Self {
            path: p.to_owned(),
            query: q.to_owned(),
        })
    }

    fn from_path(path: String) -> Self {
        Self {
            path,
            query: String::new(),
        }
    }

    /// Returns the path without its query, e.g. `m/l/p/x`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Returns the raw query text without the leading `?` (empty if none).
    pub fn query(&self) -> &str {
        &self.query
    }

    fn wrap(mut self, prefix: &str, params: &[(&str, String)]) -> Self {
        self.path.insert_str(0, prefix);
        for (k, v) in params {
            if !self.query.is_empty() {
                self.query.push('&');
            }
            self.query.push_str(k);
            self.query.push('=');
            form_encode_into(v, &mut self.query);
        }
        self
    }

    /// Wraps in a log (`l/`), adding `_complete=` when complete capture is requested.
    pub fn logged(self, complete: bool) -> Self {
        let params = log_params(complete);
        self.wrap("l/", &params)
    }

    /// Wraps in a memoizer (`m/`) with an optional `_ttl` and a `_renew=` flag.
    pub fn cached(self, ttl: Option<GatewayDuration>, renew: bool) -> Self {
        let params = cache_params(ttl, renew);
        self.wrap("m/", &params)
    }

    /// Wraps in a failover (`f/`) to a gateway-relative secondary (`_else=`).
    pub fn with_failover(self, secondary: &GatewayPath) -> Result<Self, WrapperError> {
        let params = [("_else", secondary_value(secondary)?)];
        Ok(self.wrap("f/", &params))
    }

    /// Wraps in a tee (`t/`) that also sends to a gateway-relative secondary (`_to=`).
    pub fn with_tee(self, secondary: &GatewayPath) -> Result<Self, WrapperError> {
        let params = [("_to", secondary_value(secondary)?)];
        Ok(self.wrap("t/", &params))
    }

    /// Wraps in a delayed execution (`d/`) with `_at=` or `_in=`.
    pub fn delayed(self, when: &Delay) -> Self {
        self.wrap("d/", &[when.param()])
    }

    /// Wraps in a recurrent execution (`r/`) with `_every=`.
    pub fn recurrent(self, every: GatewayDuration) -> Self {
        self.wrap("r/", &[("_every", every.to_string())])
    }

    /// Appends a dispatch sub-path after the target path and before the query.
    pub fn with_subpath(&self, sub: &str) -> String {
        join_subpath(&self.to_string(), sub)
    }
}

impl fmt::Display for GatewayPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        if !self.query.is_empty() {
            write!(f, "?{}", self.query)?;
        }
        Ok(())
    }
}

impl FromStr for GatewayPath {
    type Err = WrapperError;

    /// Same as [`GatewayPath::raw`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::raw(s)
    }
}

/// All wrappers for one [`build_path`] call, applied in canonical order `l, m, f, t, d, r`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wrappers {
    /// Adds a log wrapper (`l/`).
    pub log: bool,
    /// Requests complete capture (`_complete=`); implies `log`.
    pub log_complete: bool,
    /// Memoize TTL (`_ttl=`); implies a memoize wrapper (`m/`).
    pub ttl: Option<GatewayDuration>,
    /// Forces a memoize refresh (`_renew=`); implies a memoize wrapper (`m/`).
    pub renew: bool,
    /// Failover secondary (`f/`, `_else=`).
    pub failover: Option<GatewayPath>,
    /// Tee secondary (`t/`, `_to=`).
    pub tee: Option<GatewayPath>,
    /// Delayed execution (`d/`, `_at=` or `_in=`).
    pub delay: Option<Delay>,
    /// Recurrent execution interval (`r/`, `_every=`).
    pub every: Option<GatewayDuration>,
}

/// Applies several wrappers at once: prefixes and query parameters in order `l, m, f, t, d, r`.
///
/// Prefixes read outermost first, so log wraps memoize, which wraps failover,
/// and so on down to recurrent around the target.
///
/// ```
/// use unitysvc::wrappers::{build_path, GatewayPath, Wrappers};
///
/// let w = Wrappers {
///     log: true,
///     ttl: Some("10m".parse().unwrap()),
///     failover: Some(GatewayPath::service("b")),
///     tee: Some(GatewayPath::service("c")),
///     ..Wrappers::default()
/// };
/// let p = build_path(&GatewayPath::service("a"), &w).unwrap();
/// assert_eq!(p.to_string(), "l/m/f/t/p/a?_ttl=10m&_else=p%2Fb&_to=p%2Fc");
/// ```
pub fn build_path(target: &GatewayPath, w: &Wrappers) -> Result<GatewayPath, WrapperError> {
    let mut prefix = String::new();
    let mut params: Vec<(&str, String)> = Vec::new();
    if w.log || w.log_complete {
        prefix.push_str("l/");
        params.extend(log_params(w.log_complete));
    }
    if w.ttl.is_some() || w.renew {
        prefix.push_str("m/");
        params.extend(cache_params(w.ttl, w.renew));
    }
    if let Some(s) = &w.failover {
        prefix.push_str("f/");
        params.push(("_else", secondary_value(s)?));
    }
    if let Some(s) = &w.tee {
        prefix.push_str("t/");
        params.push(("_to", secondary_value(s)?));
    }
    if let Some(d) = &w.delay {
        prefix.push_str("d/");
        params.push(d.param());
    }
    if let Some(e) = w.every {
        prefix.push_str("r/");
        params.push(("_every", e.to_string()));
    }
    Ok(target.clone().wrap(&prefix, &params))
}

/// Joins a dispatch sub-path onto a path that may carry a query, keeping the query last.
///
/// Exactly one `/` separates the two parts; an empty sub-path leaves the input
/// unchanged, and a query on the sub-path is appended after the existing one.
///
/// ```
/// use unitysvc::wrappers::join_subpath;
///
/// assert_eq!(join_subpath("l/p/a?_complete=", "/v1/chat/completions"), "l/p/a/v1/chat/completions?_complete=");
/// assert_eq!(join_subpath("p/a/", ""), "p/a/");
/// ```
pub fn join_subpath(path_with_query: &str, sub: &str) -> String {
    let sub = sub.trim_start_matches('/');
    if sub.is_empty() {
        return path_with_query.to_owned();
    }
    let (path, query) = path_with_query
        .split_once('?')
        .unwrap_or((path_with_query, ""));
    let (sub_path, sub_query) = sub.split_once('?').unwrap_or((sub, ""));
    let mut out = path.trim_end_matches('/').to_owned();
    if !sub_path.is_empty() {
        out.push('/');
        out.push_str(sub_path);
    }
    let queries: Vec<&str> = [query, sub_query]
        .into_iter()
        .filter(|q| !q.is_empty())
        .collect();
    if !queries.is_empty() {
        out.push('?');
        out.push_str(&queries.join("&"));
    }
    out
}

fn log_params(complete: bool) -> Vec<(&'static str, String)> {
    if complete {
        vec![("_complete", String::new())]
    } else {
        Vec::new()
    }
}

fn cache_params(ttl: Option<GatewayDuration>, renew: bool) -> Vec<(&'static str, String)> {
    let mut params = Vec::new();
    if let Some(t) = ttl {
        params.push(("_ttl", t.to_string()));
    }
    if renew {
        params.push(("_renew", String::new()));
    }
    params
}

fn check_relative(path: &str) -> Result<(), WrapperError> {
    if path.contains("://") {
        Err(WrapperError::AbsoluteUrl(path.to_owned()))
    } else {
        Ok(())
    }
}

fn secondary_value(secondary: &GatewayPath) -> Result<String, WrapperError> {
    let s = secondary.to_string();
    check_relative(&s)?;
    check_path(secondary.path())?;
    Ok(s)
}

/// Checks that the path part of a gateway-relative path (no query) stays under its
/// target once a server decodes and normalizes it.
///
/// Refused: `.` and `..` segments, also percent-encoded (`%2e%2e`, `.%2E`, and double
/// encodings); backslashes; `://`; a leading `//` or any empty segment but a trailing
/// one; `#`; control and whitespace characters.
///
/// ```
/// use unitysvc::wrappers::check_path;
///
/// assert!(check_path("p/abc/v1/chat/completions").is_ok());
/// assert!(check_path("p/abc/../../v1/secrets/KEY").is_err());
/// assert!(check_path("p/abc/%2e%2E/v1").is_err());
/// ```
pub fn check_path(path: &str) -> Result<(), WrapperError> {
    let refuse = |reason| {
        Err(WrapperError::UnsafePath {
            path: path.to_owned(),
            reason,
        })
    };
    if path.starts_with("//") && !path.contains("://") {
        return refuse("it starts with `//`");
    }
    if !path.is_ascii() && path.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return refuse("it contains whitespace or a control character");
    }
    // A server may decode more than once, so check every decoding until it is stable;
    // without a `%` the text is its own decoding, and nothing is copied.
    let mut decoded: Option<Vec<u8>> = None;
    for round in 0..4 {
        let text = decoded.as_deref().unwrap_or(path.as_bytes());
        if let Err(problem) = scan(text, round == 0) {
            return match problem {
                Problem::Absolute => Err(WrapperError::AbsoluteUrl(path.to_owned())),
                Problem::Unsafe(reason) => refuse(reason),
            };
        }
        if !text.contains(&b'%') {
            break;
        }
        let next = percent_decode(text);
        if next == text {
            break;
        }
        decoded = Some(next);
    }
    Ok(())
}

enum Problem {
    Absolute,
    Unsafe(&'static str),
}

/// The checks every decoding of a path must pass, in one pass over its bytes; `raw` is
/// the text as given, where `#`, spaces and control characters are refused too.
fn scan(text: &[u8], raw: bool) -> Result<(), Problem> {
    let body = text.strip_prefix(b"/").unwrap_or(text);
    let segment = |s: &[u8], last: bool| match s {
        b"." | b".." => Err(Problem::Unsafe("it has a `.` or `..` segment")),
        b"" if !last => Err(Problem::Unsafe("it has an empty segment (`//`)")),
        _ => Ok(()),
    };
    let mut start = 0;
    for (i, &b) in body.iter().enumerate() {
        match b {
            b'/' => {
                segment(&body[start..i], false)?;
                start = i + 1;
            }
            b'\\' => return Err(Problem::Unsafe("it contains a backslash")),
            b':' if body[i + 1..].starts_with(b"//") => return Err(Problem::Absolute),
            b'#' if raw => return Err(Problem::Unsafe("it contains `#`")),
            b' ' | 0..=0x1f | 0x7f if raw => {
                return Err(Problem::Unsafe(
                    "it contains whitespace or a control character",
                ))
            }
            0..=0x1f | 0x7f => {
                return Err(Problem::Unsafe("it contains an encoded control character"))
            }
            _ => {}
        }
    }
    segment(&body[start..], true)
}

/// Decodes `%XX` escapes, leaving malformed ones as they are.
fn percent_decode(input: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        let escape = match (b, input.get(i + 1), input.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) => hex(h).zip(hex(l)),
            _ => None,
        };
        match escape {
            Some((h, l)) => {
                // Two hex digits fit a byte.
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'%'));
                i += 3;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Percent-encodes `name` as a single path segment: only unreserved characters stay.
///
/// A name made only of dots is encoded too, which [`check_path`] then refuses, so such a
/// name can never become a `.` or `..` segment.
pub(crate) fn encode_segment(name: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let only_dots = !name.is_empty() && name.bytes().all(|b| b == b'.');
    let mut out = String::with_capacity(name.len());
    for &b in name.as_bytes() {
        match b {
            b'.' if only_dots => out.push_str("%2E"),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b));
            }
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xF)]));
            }
        }
    }
    out
}

/// Appends `s` encoded as `application/x-www-form-urlencoded` (space → `+`).
fn form_encode_into(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xF)]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dur(s: &str) -> GatewayDuration {
        s.parse().expect("valid duration")
    }

    fn svc(id: &str) -> GatewayPath {
        GatewayPath::service(id)
    }

    #[test]
    fn wrapped_paths() {
        let nested = svc("b").cached(Some(dur("5m")), false);
        let cases: Vec<(GatewayPath, &str)> = vec![
            (svc("x"), "p/x"),
            (GatewayPath::group("gpu"), "g/gpu"),
            (GatewayPath::alias("my-llm"), "a/my-llm"),
            (GatewayPath::raw("/p/a").unwrap(), "p/a"),
            (GatewayPath::raw("p/a?x=1").unwrap(), "p/a?x=1"),
            (svc("x").logged(false), "l/p/x"),
            (svc("x").logged(true), "l/p/x?_complete="),
            (svc("x").cached(None, false), "m/p/x"),
            (svc("x").cached(None, true), "m/p/x?_renew="),
            (
                svc("x").cached(Some(dur("1h")), true),
                "m/p/x?_ttl=1h&_renew=",
            ),
            // Last call is outermost; params innermost first.
            (
                svc("x").logged(false).cached(Some(dur("1h")), false),
                "m/l/p/x?_ttl=1h",
            ),
            (
                svc("x").cached(Some(dur("1h")), false).logged(false),
                "l/m/p/x?_ttl=1h",
            ),
            (
                svc("x").cached(Some(dur("1h")), false).logged(true),
                "l/m/p/x?_ttl=1h&_complete=",
            ),
            (
                svc("x").logged(true).cached(Some(dur("1h")), false),
                "m/l/p/x?_complete=&_ttl=1h",
            ),
            // Existing query merged with '&', kept verbatim.
            (
                GatewayPath::raw("p/a?x=1").unwrap().logged(true),
                "l/p/a?x=1&_complete=",
            ),
            (
                GatewayPath::raw("/p/a?q=a%20b").unwrap().logged(true),
                "l/p/a?q=a%20b&_complete=",
            ),
            (
                svc("a").with_failover(&svc("b")).unwrap(),
                "f/p/a?_else=p%2Fb",
            ),
            (svc("a").with_tee(&svc("c")).unwrap(), "t/p/a?_to=p%2Fc"),
            (
                svc("a").with_failover(&nested).unwrap(),
                "f/p/a?_else=m%2Fp%2Fb%3F_ttl%3D5m",
            ),
            (
                svc("a")
                    .with_tee(&GatewayPath::raw("p/c?n=a b").unwrap())
                    .unwrap(),
                "t/p/a?_to=p%2Fc%3Fn%3Da+b",
            ),
            (
                svc("a").delayed(&Delay::at("2026-06-01T10:00:00Z").unwrap()),
                "d/p/a?_at=2026-06-01T10%3A00%3A00Z",
            ),
            (svc("a").delayed(&Delay::after(dur("30s"))), "d/p/a?_in=30s"),
            (svc("a").recurrent(dur("1d")), "r/p/a?_every=1d"),
            (
                svc("a").recurrent(dur("1d")).logged(false),
                "l/r/p/a?_every=1d",
            ),
        ];
        for (got, want) in cases {
            assert_eq!(got.to_string(), want);
        }
    }

    #[test]
    fn canonical_builder() {
        let full = Wrappers {
            log: true,
            ttl: Some(dur("10m")),
            failover: Some(svc("b")),
            tee: Some(svc("c")),
            ..Wrappers::default()
        };
        let all = Wrappers {
            log_complete: true,
            ttl: Some(dur("1h")),
            renew: true,
            failover: Some(svc("b").cached(Some(dur("5m")), false)),
            tee: Some(svc("c")),
            delay: Some(Delay::after(dur("90s"))),
            every: Some(dur("2d")),
            ..Wrappers::default()
        };
        let cases = [
            (Wrappers::default(), "p/a"),
            (full, "l/m/f/t/p/a?_ttl=10m&_else=p%2Fb&_to=p%2Fc"),
            (
                all,
                "l/m/f/t/d/r/p/a?_complete=&_ttl=1h&_renew=&_else=m%2Fp%2Fb%3F_ttl%3D5m\
                 &_to=p%2Fc&_in=90s&_every=2d",
            ),
            (
                Wrappers {
                    renew: true,
                    ..Wrappers::default()
                },
                "m/p/a?_renew=",
            ),
        ];
        for (w, want) in cases {
            assert_eq!(build_path(&svc("a"), &w).unwrap().to_string(), want);
        }
        let on_query = Wrappers {
            log_complete: true,
            ..Wrappers::default()
        };
        let target = GatewayPath::raw("p/a?x=1").unwrap();
        assert_eq!(
            build_path(&target, &on_query).unwrap().to_string(),
            "l/p/a?x=1&_complete="
        );
    }

    #[test]
    fn raw_paths_and_absolute_urls() {
        let p = GatewayPath::raw("/p/a?x=1").unwrap();
        assert_eq!((p.path(), p.query()), ("p/a", "x=1"));
        assert!(matches!(
            GatewayPath::raw("//p/a?x=1"),
            Err(WrapperError::UnsafePath { .. })
        ));
        assert_eq!(
            "/g/x".parse::<GatewayPath>().unwrap(),
            GatewayPath::group("x")
        );
        assert_eq!(GatewayPath::raw("/"), Err(WrapperError::EmptyPath));
        assert_eq!(GatewayPath::raw("?x=1"), Err(WrapperError::EmptyPath));
        assert!(matches!(
            GatewayPath::raw("https://evil/p/a"),
            Err(WrapperError::AbsoluteUrl(_))
        ));
        let abs = GatewayPath::group("http://evil");
        let err = Err(WrapperError::AbsoluteUrl("g/http%3A%2F%2Fevil".into()));
        assert_eq!(svc("a").with_failover(&abs), err);
        assert_eq!(svc("a").with_tee(&abs), err);
        let w = Wrappers {
            tee: Some(abs),
            ..Wrappers::default()
        };
        assert_eq!(build_path(&svc("a"), &w), err);
    }

    #[test]
    fn delay_validation() {
        let ts = "2026-06-01T10:00:00Z";
        let d = dur("5m");
        assert_eq!(
            Delay::new(None, None),
            Err(WrapperError::DelayNeedsExactlyOne)
        );
        assert_eq!(
            Delay::new(Some(ts), Some(d)),
            Err(WrapperError::DelayNeedsExactlyOne)
        );
        assert_eq!(Delay::new(Some(ts), None), Delay::at(ts));
        assert_eq!(Delay::new(None, Some(d)), Ok(Delay::after(d)));
        for bad in [
            "",
            "tomorrow",
            "2026/06/01",
            "2026-06-01 10:00",
            "2026-99-99T99:99:99Z",
            "2026-02-30T10:00:00Z",
            "2026-06-01T10:00:00",
        ] {
            assert_eq!(
                Delay::at(bad),
                Err(WrapperError::InvalidTimestamp(bad.into()))
            );
        }
        assert!(Delay::at("2026-06-01T10:00:00+02:00").is_ok());
        // The caller's text goes on the wire as written.
        let p = svc("a").delayed(&Delay::at("2026-06-01T12:00:00.5+02:00").unwrap());
        assert_eq!(
            p.to_string(),
            "d/p/a?_at=2026-06-01T12%3A00%3A00.5%2B02%3A00"
        );
        let when = chrono::DateTime::parse_from_rfc3339("2026-06-01T10:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let p = svc("a").delayed(&Delay::from(when));
        assert_eq!(p.to_string(), "d/p/a?_at=2026-06-01T10%3A00%3A00Z");
    }

    #[test]
    fn durations() {
        for (secs, text) in [
            (3600, "1h"),
            (600, "10m"),
            (90, "90s"),
            (86_400, "1d"),
            (1, "1s"),
            (5400, "90m"),
            (172_800, "2d"),
        ] {
            let d = GatewayDuration::try_from(Duration::from_secs(secs)).unwrap();
            assert_eq!(d.to_string(), text);
            assert_eq!(text.parse::<GatewayDuration>(), Ok(d));
            assert_eq!(d.as_duration(), Duration::from_secs(secs));
            assert_eq!(Duration::from(d), Duration::from_secs(secs));
        }
        // Parsed durations keep the unit they were written in; equality is by length.
        assert_eq!(dur("60m").to_string(), "60m");
        assert_eq!(dur("60s").to_string(), "60s");
        assert_eq!(dur("24h").to_string(), "24h");
        assert_eq!(dur("60s"), dur("1m"));
        assert!(dur("59s") < dur("1m"));
        let p = svc("x")
            .cached(Some(dur("60s")), false)
            .recurrent(dur("24h"));
        assert_eq!(p.to_string(), "r/m/p/x?_ttl=60s&_every=24h");
        assert_eq!(dur("120s").as_secs(), 120);
        for bad in [
            Duration::ZERO,
            Duration::from_millis(1500),
            Duration::from_millis(500),
        ] {
            assert!(matches!(
                GatewayDuration::try_from(bad),
                Err(WrapperError::InvalidDuration(_))
            ));
        }
        assert!(GatewayDuration::from_secs(0).is_err());
        assert_eq!(GatewayDuration::from_secs(7200).unwrap().to_string(), "2h");
        let bad = [
            "",
            "h",
            "0s",
            "01m",
            "1",
            "1w",
            "1.5h",
            "-1h",
            " 1h",
            "1h ",
            "1H",
            "1é",
            "99999999999999999999d",
            "999999999999999999d",
        ];
        for s in bad {
            assert_eq!(
                s.parse::<GatewayDuration>(),
                Err(WrapperError::InvalidDuration(s.into())),
                "{s:?}"
            );
        }
    }

    #[test]
    fn subpaths() {
        let cases = [
            ("l/p/a", "v1/chat/completions", "l/p/a/v1/chat/completions"),
            (
                "l/p/a/",
                "/v1/chat/completions",
                "l/p/a/v1/chat/completions",
            ),
            ("l/p/a", "//v1/models/", "l/p/a/v1/models/"),
            (
                "l/p/a?_complete=",
                "v1/chat/completions",
                "l/p/a/v1/chat/completions?_complete=",
            ),
            ("m/p/a/?_ttl=1h", "/v1", "m/p/a/v1?_ttl=1h"),
            ("p/a?x=1", "v1/models?limit=5", "p/a/v1/models?x=1&limit=5"),
            ("p/a", "v1?limit=5", "p/a/v1?limit=5"),
            ("p/a?x=1", "", "p/a?x=1"),
            ("p/a?x=1", "/", "p/a?x=1"),
            ("p/a", "?", "p/a"),
        ];
        for (base, sub, want) in cases {
            assert_eq!(join_subpath(base, sub), want, "{base:?} + {sub:?}");
        }
        let p = svc("a").logged(true);
        assert_eq!(
            p.with_subpath("v1/chat/completions"),
            "l/p/a/v1/chat/completions?_complete="
        );
    }

    #[test]
    fn names_are_one_segment() {
        let cases = [
            (
                GatewayPath::group("llm?x=1").logged(true),
                "l/g/llm%3Fx%3D1?_complete=",
            ),
            (GatewayPath::group("a/b"), "g/a%2Fb"),
            (GatewayPath::group("my group#1"), "g/my%20group%231"),
            (GatewayPath::alias("fast-llm_v2.1~x"), "a/fast-llm_v2.1~x"),
            (GatewayPath::service("../v1"), "p/..%2Fv1"),
            (GatewayPath::alias(".."), "a/%2E%2E"),
        ];
        for (got, want) in cases {
            assert_eq!(got.to_string(), want);
        }
        assert!(check_path(GatewayPath::alias("..").path()).is_err());
        assert!(check_path(GatewayPath::group(".").path()).is_err());
        // A server that decodes `%2F` would see `../v1`.
        assert!(check_path(GatewayPath::service("../v1").path()).is_err());
        assert!(check_path(GatewayPath::service("a b").path()).is_ok());
    }

    #[test]
    fn unsafe_paths_are_refused() {
        let bad = [
            "p/x/../../v1/secrets/K",
            "p/x/..",
            "p/x/./y",
            "./p/x",
            "p/x/%2e%2e/v1",
            "p/x/%2E%2E/v1",
            "p/x/.%2E/v1",
            "p/x/%2e./v1",
            "p/x/%2e",
            "p/x/%252e%252e/v1",
            "p/x/..%2fv1",
            "p/x/%2e%2e%2fv1",
            "p/x\\..\\v1",
            "p/x/%5c..%5cv1",
            "p/x/a%5Cb",
            "//evil.example/p/x",
            "p//x",
            "p/x/http://evil",
            "p/x/http%3A%2F%2Fevil",
            "p/x#frag",
            "p/x y",
            "p/x\ty",
            "p/x%0d%0aHost:evil",
        ];
        for path in bad {
            assert!(check_path(path).is_err(), "{path:?} must be refused");
            assert!(GatewayPath::raw(path).is_err(), "{path:?} must be refused");
        }
        for good in [
            "p/x",
            "p/x/v1/chat/completions",
            "p/x/",
            "/p/x",
            "p/x/a.b/..c/c..",
            "p/x/%41",
        ] {
            assert_eq!(check_path(good), Ok(()), "{good:?}");
        }
    }

    #[test]
    fn unsafe_secondaries_are_refused() {
        let bad = GatewayPath::group("..");
        assert!(svc("a").with_failover(&bad).is_err());
        assert!(svc("a").with_tee(&bad).is_err());
    }

    #[test]
    fn form_encoding() {
        let mut out = String::new();
        form_encode_into("a b/?=:&+%~*-._é", &mut out);
        assert_eq!(out, "a+b%2F%3F%3D%3A%26%2B%25%7E*-._%C3%A9");
    }

    #[test]
    fn errors_display() {
        let e: Box<dyn std::error::Error> = Box::new(WrapperError::DelayNeedsExactlyOne);
        assert!(e.to_string().contains("exactly one"));
        assert!(WrapperError::InvalidDuration("x".into())
            .to_string()
            .contains("\"x\""));
    }
}
