//! Where a gateway request goes: its URL, built on a parsed base and checked to stay under
//! its target, and remembered per client for paths on the gateway root.

use super::Target;
use crate::client::Client;
use crate::error::{Error, Kept, Result};
use crate::wrappers::{check_path, GatewayPath};
use reqwest::Url;

/// The URL a request to `target` with sub-path `sub` goes to, checked to stay under the
/// target.
pub(super) async fn resolve(
    client: &Client,
    target: &Result<Target, Kept>,
    sub: &str,
) -> Result<Url> {
    match local_url(client, target, sub) {
        Some(url) => url,
        None => Box::pin(remote_url(client, target, sub)).await,
    }
}

/// The URL of a target on the gateway root, known without asking the platform; `None`
/// for a service or group, whose interface must be looked up.
pub(super) fn local_url(
    client: &Client,
    target: &Result<Target, Kept>,
    sub: &str,
) -> Option<Result<Url>> {
    let urls = &client.inner.urls;
    let root = &client.inner.gateway;
    Some(match target {
        Err(e) => Err(e.0.duplicate()),
        Ok(Target::Raw(raw)) => urls.get_or_build(raw, sub, || {
            let path = GatewayPath::raw(raw).map_err(Error::from)?;
            gateway_url(root, &path, sub)
        }),
        Ok(Target::Path(path)) => {
            urls.get_or_build(&path.to_string(), sub, || gateway_url(root, path, sub))
        }
        Ok(Target::Service { .. } | Target::Group(_)) => return None,
    })
}

/// The URL of a service's or group's interface.
pub(super) async fn remote_url(
    client: &Client,
    target: &Result<Target, Kept>,
    sub: &str,
) -> Result<Url> {
    check_subpath(sub)?;
    match target {
        Ok(Target::Service {
            id,
            interface,
            enrollment,
        }) => {
            let picked = super::interfaces::resolve_interface(
                client,
                *id,
                interface.as_deref(),
                *enrollment,
            )
            .await?;
            client
                .inner
                .urls
                .get_or_build(picked.written_base()?, sub, || {
                    join_under(&picked.url()?, sub)
                })
        }
        Ok(Target::Group(name)) => {
            let base = super::interfaces::group_base(client, name).await?;
            join_under(&base, sub)
        }
        _ => local_url(client, target, sub)
            .unwrap_or_else(|| Err(Error::invalid_input("the request has no target"))),
    }
}

/// `root` + `/` + the target path + `/` + the sub-path, with both queries; built on the
/// parsed root, so only the path and query are parsed again.
pub(crate) fn gateway_url(root: &Url, target: &GatewayPath, sub: &str) -> Result<Url> {
    check_subpath(sub)?;
    let target_path = target.path();
    check_target(target_path)?;
    let sub = sub.trim_start_matches('/');
    let (sub_path, sub_query) = sub.split_once('?').unwrap_or((sub, ""));
    // Separately checked halves can only combine into something unsafe through
    // percent-decoding (`a%3A` + `%2Fb`), so the whole is checked again when either has
    // an escape.
    if target_path.contains('%') || sub_path.contains('%') {
        let mut whole = String::with_capacity(target_path.len() + 1 + sub_path.len());
        whole.push_str(target_path);
        whole.push('/');
        whole.push_str(sub_path);
        check_path(&whole).map_err(Error::from)?;
    }
    let root_path = root.path().trim_end_matches('/');
    let mut path = String::with_capacity(root_path.len() + target_path.len() + sub_path.len() + 2);
    path.push_str(root_path);
    path.push('/');
    path.push_str(target_path);
    let prefix_len = path.len();
    if !sub_path.is_empty() {
        path.push('/');
        path.push_str(sub_path);
    }
    let mut url = root.clone();
    url.set_path(&path);
    match (target.query(), sub_query) {
        ("", "") => {}
        (q, "") | ("", q) => url.set_query(Some(q)),
        (a, b) => url.set_query(Some(&format!("{a}&{b}"))),
    }
    let prefix = &path[..prefix_len];
    // The URL parser leaves a path made of these bytes as it is, so the prefix can be
    // compared as written; anything else is compared after the parser's encoding.
    let plain = prefix
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%".contains(&b));
    let under = if plain {
        is_under(url.path(), prefix)
    } else {
        let mut base = root.clone();
        base.set_path(prefix);
        is_under(url.path(), base.path())
    };
    if under {
        Ok(url)
    } else {
        Err(refused(&url, prefix))
    }
}

/// `base` with the sub-path appended to its path and the sub-query to its query.
pub(crate) fn join_under(base: &Url, sub: &str) -> Result<Url> {
    let sub = sub.trim_start_matches('/');
    if sub.is_empty() {
        return Ok(base.clone());
    }
    let (sub_path, sub_query) = sub.split_once('?').unwrap_or((sub, ""));
    let base_path = base.path().trim_end_matches('/');
    let mut url = base.clone();
    let mut path = String::with_capacity(base_path.len() + 1 + sub_path.len());
    path.push_str(base_path);
    if !sub_path.is_empty() {
        path.push('/');
        path.push_str(sub_path);
    }
    url.set_path(&path);
    if !sub_query.is_empty() {
        match base.query().filter(|q| !q.is_empty()) {
            Some(q) => url.set_query(Some(&format!("{q}&{sub_query}"))),
            None => url.set_query(Some(sub_query)),
        }
    }
    // The last line of defence: the base is already in the parser's form, which parsing
    // again leaves as it is, so whatever the checks missed shows as a different prefix.
    if is_under(url.path(), base_path) {
        Ok(url)
    } else {
        Err(refused(&url, base_path))
    }
}

/// Whether `path` is `prefix` or lies below it.
fn is_under(path: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_end_matches('/');
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

fn refused(url: &Url, prefix: &str) -> Error {
    Error::invalid_input(format!(
        "the request to {} would leave its target {prefix}",
        url.path()
    ))
}

/// Refuses a target path that could address something else once a sub-path is joined:
/// it must pass [`check_path`] and have no empty segment, a trailing one included.
fn check_target(path: &str) -> Result<()> {
    check_path(path)?;
    if path.is_empty() || path.split('/').any(str::is_empty) {
        return Err(crate::wrappers::WrapperError::UnsafePath {
            path: path.to_owned(),
            reason: "its target has an empty name",
        }
        .into());
    }
    Ok(())
}

/// Refuses a sub-path that could climb out of its target.
pub(crate) fn check_subpath(sub: &str) -> Result<()> {
    let path = sub.split_once('?').map_or(sub, |(p, _)| p);
    check_path(path).map_err(Error::from)
}
