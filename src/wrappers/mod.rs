//! Pure builder for gateway paths decorated with wrapper primitives.
//!
//! A gateway target is a service (`p/<id>`), a group (`g/<name>`), an alias
//! (`a/<id-or-name>`) or a raw gateway-relative path. Wrappers are path
//! prefixes with their options carried in the query string:
//!
//! | prefix | wrapper   | query parameters                 | [`GatewayPath`] methods                      |
//! |--------|-----------|----------------------------------|----------------------------------------------|
//! | `l/`   | log       | `_complete=` (complete capture)  | `logged()`, `logged_complete()`              |
//! | `m/`   | memoize   | `_ttl=<dur>`, `_renew=`          | `cached()`, `cached_for(ttl)`, `cached_renewed()`, `cached_for_renewed(ttl)` |
//! | `f/`   | failover  | `_else=<secondary path>`         | `with_failover(&secondary)`                  |
//! | `t/`   | tee       | `_to=<secondary path>`           | `with_tee(&secondary)`                       |
//! | `d/`   | delayed   | `_at=<iso-8601>` xor `_in=<dur>` | `delayed(&Delay)`                            |
//! | `r/`   | recurrent | `_every=<dur>`                   | `recurrent(every)`                           |
//!
//! A wrapper's options are in the method's name rather than in flag arguments; the
//! [`Wrappable`](crate::Wrappable) trait has the same methods for services, groups, aliases
//! and wrapped targets.
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
//! let p = GatewayPath::service("x").logged().cached_for(ttl);
//! assert_eq!(p.to_string(), "m/l/p/x?_ttl=1h");
//! assert_eq!(p.with_subpath("v1/chat/completions"), "m/l/p/x/v1/chat/completions?_ttl=1h");
//! ```

mod duration;
mod path;
mod safety;

pub use duration::{Delay, GatewayDuration};
pub use path::{build_path, join_subpath, GatewayPath, Wrappers};
pub use safety::check_path;

use std::fmt;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_display() {
        let e: Box<dyn std::error::Error> = Box::new(WrapperError::EmptyPath);
        assert!(e.to_string().contains("empty"));
        assert!(WrapperError::InvalidDuration("x".into())
            .to_string()
            .contains("\"x\""));
    }
}
