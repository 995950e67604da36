//! Gateway paths: targets, the wrappers applied to them, and their encoding.

use super::safety::check_relative;
use super::{check_path, Delay, GatewayDuration, WrapperError};
use std::fmt;
use std::str::FromStr;

/// A gateway-relative path plus its wrapper query, e.g. `m/l/p/<id>?_ttl=1h`.
///
/// ```
/// use unitysvc::wrappers::GatewayPath;
///
/// let backup = GatewayPath::service("b");
/// let p = GatewayPath::raw("/p/a?x=1").unwrap().logged_complete().with_failover(&backup).unwrap();
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

    /// Wraps in a log (`l/`) that keeps a preview of each body.
    pub fn logged(self) -> Self {
        self.wrap("l/", &[])
    }

    /// Wraps in a log (`l/`) that keeps whole request and response bodies (`_complete=`).
    pub fn logged_complete(self) -> Self {
        self.wrap("l/", &[complete()])
    }

    /// Wraps in a memoizer (`m/`) that keeps answers for the platform's default time.
    pub fn cached(self) -> Self {
        self.memoize(Memo::default())
    }

    /// Wraps in a memoizer (`m/`) that keeps answers for `ttl` (`_ttl=`).
    pub fn cached_for(self, ttl: GatewayDuration) -> Self {
        self.memoize(Memo {
            ttl: Some(ttl),
            renew: false,
        })
    }

    /// Wraps in a memoizer (`m/`) that answers this call afresh and caches the new answer
    /// for the platform's default time (`_renew=`).
    pub fn cached_renewed(self) -> Self {
        self.memoize(Memo {
            ttl: None,
            renew: true,
        })
    }

    /// Wraps in a memoizer (`m/`) that answers this call afresh and caches the new answer
    /// for `ttl` (`_ttl=`, `_renew=`).
    pub fn cached_for_renewed(self, ttl: GatewayDuration) -> Self {
        self.memoize(Memo {
            ttl: Some(ttl),
            renew: true,
        })
    }

    fn memoize(self, memo: Memo) -> Self {
        self.wrap("m/", &memo.params())
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
        if w.log_complete {
            params.push(complete());
        }
    }
    if w.ttl.is_some() || w.renew {
        prefix.push_str("m/");
        let memo = Memo {
            ttl: w.ttl,
            renew: w.renew,
        };
        params.extend(memo.params());
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

/// The log wrapper's flag for complete capture.
fn complete() -> (&'static str, String) {
    ("_complete", String::new())
}

/// A memoize wrapper's options: a TTL, else the platform's default, and whether to renew.
#[derive(Default)]
struct Memo {
    ttl: Option<GatewayDuration>,
    renew: bool,
}

impl Memo {
    fn params(self) -> Vec<(&'static str, String)> {
        let mut params = Vec::new();
        if let Some(t) = self.ttl {
            params.push(("_ttl", t.to_string()));
        }
        if self.renew {
            params.push(("_renew", String::new()));
        }
        params
    }
}

fn secondary_value(secondary: &GatewayPath) -> Result<String, WrapperError> {
    let s = secondary.to_string();
    check_relative(&s)?;
    check_path(secondary.path())?;
    Ok(s)
}

/// Checks that the path part of a gateway-relative path (no query) stays under its
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
        let nested = svc("b").cached_for(dur("5m"));
        let cases: Vec<(GatewayPath, &str)> = vec![
            (svc("x"), "p/x"),
            (GatewayPath::group("gpu"), "g/gpu"),
            (GatewayPath::alias("my-llm"), "a/my-llm"),
            (GatewayPath::raw("/p/a").unwrap(), "p/a"),
            (GatewayPath::raw("p/a?x=1").unwrap(), "p/a?x=1"),
            (svc("x").logged(), "l/p/x"),
            (svc("x").logged_complete(), "l/p/x?_complete="),
            (svc("x").cached(), "m/p/x"),
            (svc("x").cached_renewed(), "m/p/x?_renew="),
            (svc("x").cached_for(dur("1h")), "m/p/x?_ttl=1h"),
            (
                svc("x").cached_for_renewed(dur("1h")),
                "m/p/x?_ttl=1h&_renew=",
            ),
            // Last call is outermost; params innermost first.
            (svc("x").logged().cached_for(dur("1h")), "m/l/p/x?_ttl=1h"),
            (svc("x").cached_for(dur("1h")).logged(), "l/m/p/x?_ttl=1h"),
            (
                svc("x").cached_for(dur("1h")).logged_complete(),
                "l/m/p/x?_ttl=1h&_complete=",
            ),
            (
                svc("x").logged_complete().cached_for(dur("1h")),
                "m/l/p/x?_complete=&_ttl=1h",
            ),
            (
                svc("x").cached_for_renewed(dur("1h")).logged_complete(),
                "l/m/p/x?_ttl=1h&_renew=&_complete=",
            ),
            // Existing query merged with '&', kept verbatim.
            (
                GatewayPath::raw("p/a?x=1").unwrap().logged_complete(),
                "l/p/a?x=1&_complete=",
            ),
            (
                GatewayPath::raw("/p/a?q=a%20b").unwrap().logged_complete(),
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
            (svc("a").recurrent(dur("1d")).logged(), "l/r/p/a?_every=1d"),
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
            failover: Some(svc("b").cached_for(dur("5m"))),
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
    fn one_wrapper_reads_the_same_both_ways() {
        let with = |set: fn(&mut Wrappers)| {
            let mut w = Wrappers::default();
            set(&mut w);
            w
        };
        let cases = [
            (svc("a").logged(), with(|w| w.log = true)),
            (svc("a").logged_complete(), with(|w| w.log_complete = true)),
            (
                svc("a").cached_for(dur("1h")),
                with(|w| w.ttl = Some(dur("1h"))),
            ),
            (svc("a").cached_renewed(), with(|w| w.renew = true)),
            (
                svc("a").cached_for_renewed(dur("1h")),
                with(|w| (w.ttl, w.renew) = (Some(dur("1h")), true)),
            ),
        ];
        for (fluent, w) in cases {
            assert_eq!(build_path(&svc("a"), &w).unwrap(), fluent);
        }
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
        let p = svc("a").logged_complete();
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
}
