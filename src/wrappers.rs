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

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// Errors raised while building wrapped gateway paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WrapperError {
    /// The path is an absolute URL (contains `://`) rather than gateway-relative.
    AbsoluteUrl(String),
    /// The path is empty after dropping leading slashes.
    EmptyPath,
    /// A delayed wrapper needs exactly one of `at` or `in`.
    DelayNeedsExactlyOne,
    /// The duration is zero, sub-second, too large, or not of the form `<n>[smhd]`.
    InvalidDuration(String),
    /// The timestamp does not look like an ISO-8601 / RFC 3339 date-time.
    InvalidTimestamp(String),
}

impl fmt::Display for WrapperError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AbsoluteUrl(p) => {
                write!(f, "gateway path must be relative, got absolute URL {p:?}")
            }
            Self::EmptyPath => f.write_str("gateway path is empty"),
            Self::DelayNeedsExactlyOne => {
                f.write_str("delayed wrapper needs exactly one of `at` or `in`")
            }
            Self::InvalidDuration(d) => write!(
                f,
                "invalid gateway duration {d:?} (expected a whole, non-zero number of s/m/h/d)"
            ),
            Self::InvalidTimestamp(t) => write!(f, "invalid ISO-8601 timestamp {t:?}"),
        }
    }
}

impl std::error::Error for WrapperError {}

const UNITS: [(char, u64); 4] = [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];

/// A whole, non-zero number of seconds rendered compactly as `<n>[smhd]`.
///
/// ```
/// use std::time::Duration;
/// use unitysvc::wrappers::GatewayDuration;
///
/// let d = GatewayDuration::try_from(Duration::from_secs(600)).unwrap();
/// assert_eq!(d.to_string(), "10m");
/// assert_eq!("2d".parse::<GatewayDuration>().unwrap().as_secs(), 172_800);
/// assert!("1.5h".parse::<GatewayDuration>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GatewayDuration(u64);

impl GatewayDuration {
    /// Creates a duration from whole seconds; zero is rejected.
    pub fn from_secs(secs: u64) -> Result<Self, WrapperError> {
        if secs == 0 {
            return Err(WrapperError::InvalidDuration("0s".into()));
        }
        Ok(Self(secs))
    }

    /// Returns the duration in whole seconds.
    pub fn as_secs(self) -> u64 {
        self.0
    }

    /// Returns the duration as a [`std::time::Duration`].
    pub fn as_duration(self) -> Duration {
        Duration::from_secs(self.0)
    }
}

impl TryFrom<Duration> for GatewayDuration {
    type Error = WrapperError;

    fn try_from(d: Duration) -> Result<Self, Self::Error> {
        if d.subsec_nanos() != 0 || d.as_secs() == 0 {
            return Err(WrapperError::InvalidDuration(format!("{d:?}")));
        }
        Ok(Self(d.as_secs()))
    }
}

impl From<GatewayDuration> for Duration {
    fn from(d: GatewayDuration) -> Self {
        d.as_duration()
    }
}

impl fmt::Display for GatewayDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `UNITS` ends with seconds (factor 1), so some unit always divides exactly.
        let (unit, factor) = UNITS
            .iter()
            .copied()
            .find(|&(_, n)| self.0.checked_rem(n) == Some(0))
            .unwrap_or(('s', 1));
        write!(f, "{}{unit}", self.0 / factor)
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
        let n: u64 = digits.parse().map_err(|_| err())?;
        n.checked_mul(factor).map(Self).ok_or_else(err)
    }
}

/// When a delayed (`d/`) wrapper fires: at a timestamp or after a duration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Delay {
    /// Run at an ISO-8601 / RFC 3339 timestamp such as `2026-06-01T10:00:00Z`.
    At(String),
    /// Run after the given duration.
    In(GatewayDuration),
}

impl Delay {
    /// Creates an `At` delay after a light ISO-8601 shape check (`YYYY-MM-DD…`, no spaces).
    pub fn at(timestamp: &str) -> Result<Self, WrapperError> {
        let b = timestamp.as_bytes();
        let ok = b.len() >= 10
            && b[..4].iter().all(u8::is_ascii_digit)
            && b[4] == b'-'
            && !b.iter().any(u8::is_ascii_whitespace);
        if ok {
            Ok(Self::At(timestamp.to_owned()))
        } else {
            Err(WrapperError::InvalidTimestamp(timestamp.to_owned()))
        }
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
            (None, Some(d)) => Ok(Self::In(d)),
            _ => Err(WrapperError::DelayNeedsExactlyOne),
        }
    }

    fn param(&self) -> (&'static str, String) {
        match self {
            Self::At(ts) => ("_at", ts.clone()),
            Self::In(d) => ("_in", d.to_string()),
        }
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
    /// Targets a service by id: `p/<id>`.
    pub fn service(id: impl fmt::Display) -> Self {
        Self::from_path(format!("p/{id}"))
    }

    /// Targets a service group by name: `g/<name>`.
    pub fn group(name: &str) -> Self {
        Self::from_path(format!("g/{name}"))
    }

    /// Targets an alias by id or name: `a/<id-or-name>`.
    pub fn alias(id_or_name: &str) -> Self {
        Self::from_path(format!("a/{id_or_name}"))
    }

    /// Parses a raw gateway-relative path, dropping leading `/` and keeping any query verbatim.
    pub fn raw(path: &str) -> Result<Self, WrapperError> {
        check_relative(path)?;
        let trimmed = path.trim_start_matches('/');
        let (p, q) = trimmed.split_once('?').unwrap_or((trimmed, ""));
        if p.is_empty() {
            return Err(WrapperError::EmptyPath);
        }
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
    Ok(s)
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
            (svc("a").delayed(&Delay::In(dur("30s"))), "d/p/a?_in=30s"),
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
            delay: Some(Delay::In(dur("90s"))),
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
        let p = GatewayPath::raw("//p/a?x=1").unwrap();
        assert_eq!((p.path(), p.query()), ("p/a", "x=1"));
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
        let abs = GatewayPath::alias("http://evil");
        let err = Err(WrapperError::AbsoluteUrl("a/http://evil".into()));
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
        assert_eq!(Delay::new(Some(ts), None), Ok(Delay::At(ts.into())));
        assert_eq!(Delay::new(None, Some(d)), Ok(Delay::In(d)));
        for bad in ["", "tomorrow", "2026/06/01", "2026-06-01 10:00"] {
            assert_eq!(
                Delay::at(bad),
                Err(WrapperError::InvalidTimestamp(bad.into()))
            );
        }
        assert!(Delay::at("2026-06-01T10:00:00+02:00").is_ok());
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
        assert_eq!(dur("60m").to_string(), "1h");
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
