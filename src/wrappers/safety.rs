//! The rules that keep a gateway path under its target.

use super::WrapperError;

pub(super) fn check_relative(path: &str) -> Result<(), WrapperError> {
    if path.contains("://") {
        Err(WrapperError::AbsoluteUrl(path.to_owned()))
    } else {
        Ok(())
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wrappers::GatewayPath;

    fn svc(id: &str) -> GatewayPath {
        GatewayPath::service(id)
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
    fn names_are_one_segment() {
        let cases = [
            (
                GatewayPath::group("llm?x=1").logged_complete(),
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
    fn unsafe_secondaries_are_refused() {
        let bad = GatewayPath::group("..");
        assert!(svc("a").with_failover(&bad).is_err());
        assert!(svc("a").with_tee(&bad).is_err());
    }
}
