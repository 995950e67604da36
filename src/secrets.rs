//! The customer's secret store: names and metadata; values go in and never come back.
//!
//! # Examples
//!
//! ```no_run
//! use futures::TryStreamExt;
//!
//! # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
//! client.secrets().set("OPENAI_API_KEY", "sk-...").send().await?;
//! client
//!     .secrets()
//!     .set("REGION", "eu-west-1")
//!     .sensitive(false)
//!     .description("Where our upstream runs")
//!     .send()
//!     .await?;
//! let page = client.secrets().list().limit(20).send().await?;
//! let names: Vec<_> = client.secrets().list().stream().map_ok(|s| s.name.to_string()).try_collect().await?;
//! client.secrets().delete("REGION").await?;
//! # let _ = (page, names);
//! # Ok(())
//! # }
//! ```

use crate::client::Client;
use crate::error::{Error, Result};
use crate::types::SecretPublic;

include!(concat!(env!("OUT_DIR"), "/operations/secrets.rs"));

/// Checks a secret name against the platform's rule, `^[A-Z_][A-Z0-9_]*$`.
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the rule.
pub fn validate_secret_name(name: &str) -> Result<()> {
    check_name(name).map_err(|e| Error::invalid_input(e).with_parameter("name"))
}

pub(crate) fn name_rule(name: String) -> std::result::Result<String, String> {
    check_name(&name).map(|()| name)
}

fn check_name(name: &str) -> std::result::Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '_');
    if first_ok && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') {
        Ok(())
    } else {
        Err(format!(
            "secret name {name:?} must match ^[A-Z_][A-Z0-9_]*$ (upper-case letters, digits, underscores; not starting with a digit)"
        ))
    }
}

/// The API never returns values; dropping any that arrive keeps them out of `Debug` output.
pub(crate) fn scrub(_: &Client, mut secret: SecretPublic) -> SecretPublic {
    secret.value = None;
    secret
}

/// [`scrub`] for a single answer.
pub(crate) fn scrubbed<R>(_: &R, mut secret: SecretPublic) -> Result<SecretPublic> {
    secret.value = None;
    Ok(secret)
}
