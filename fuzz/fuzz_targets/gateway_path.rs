//! The gateway path-safety check: any target and sub-path either is refused or yields a URL
//! on the same origin whose path, decoded as a server might (up to three rounds of percent-
//! decoding, backslashes as slashes, dot segments resolved), stays under the target.
//! Never a panic.
//!
//! First byte: low 2 bits pick a root, bit 2 picks raw gateway path versus interface base;
//! the rest is split at the first NUL into target and sub-path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use unitysvc::fuzzing::{gateway_url, interface_url, Url};

const ROOTS: [&str; 4] = [
    "https://gw.example/",
    "https://gw.example/base",
    "http://127.0.0.1:8080/a%2Fb/",
    "https://gw.example/p/svc?k=v",
];

fn pct_decode(b: &[u8]) -> Vec<u8> {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// The path's segments as a server that decodes up to three times would see them; `None`
/// if dot segments climb above the root.
fn server_view(path: &str) -> Option<Vec<Vec<u8>>> {
    let mut p = path.as_bytes().to_vec();
    for _ in 0..3 {
        let d = pct_decode(&p);
        if d == p {
            break;
        }
        p = d;
    }
    let mut out: Vec<Vec<u8>> = Vec::new();
    for seg in p.split(|&c| c == b'/' || c == b'\\') {
        match seg {
            b"" | b"." => {}
            b".." => {
                out.pop()?;
            }
            s => out.push(s.to_vec()),
        }
    }
    Some(out)
}

fn check(url: &Url, root: &Url, prefix: &str, input: (&str, &str)) {
    assert_eq!(
        url.origin(),
        root.origin(),
        "{input:?} left the origin: {url}"
    );
    assert!(url.fragment().is_none(), "{input:?} grew a fragment: {url}");
    let want = server_view(prefix).expect("the prefix itself is plain");
    let got = server_view(url.path());
    assert!(
        got.as_ref().is_some_and(|g| g.starts_with(&want)),
        "{input:?} -> {url} is not under {prefix}"
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let root = Url::parse(ROOTS[usize::from(sel & 3)]).expect("root");
    let (target, sub) = match rest.iter().position(|&b| b == 0) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let target = String::from_utf8_lossy(target);
    let sub = String::from_utf8_lossy(sub);
    if sel & 4 == 0 {
        if let Ok(url) = gateway_url(&root, &target, &sub) {
            // The accepted target, as GatewayPath keeps it: no leading slash, no query.
            let t = target.strip_prefix('/').unwrap_or(&target);
            let t = t.split_once('?').map_or(t, |(p, _)| p);
            let prefix = format!("{}/{t}", root.path().trim_end_matches('/'));
            check(&url, &root, &prefix, (&target, &sub));
        }
    } else if let Ok(url) = interface_url(&root, &sub) {
        check(&url, &root, root.path(), ("", &sub));
    }
});
