//! The customer's secret store: names and metadata; values go in and never come back.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::call;
use crate::pagination::{offset_stream, ItemStream, Page};
use crate::types::SecretPublic;

/// Operations on secrets (`/secrets`).
#[derive(Debug, Clone)]
pub struct Secrets {
    client: Client,
}

impl Client {
    /// The customer's secret store.
    pub fn secrets(&self) -> Secrets {
        Secrets {
            client: self.clone(),
        }
    }
}

/// Checks a secret name against the platform's rule, `^[A-Z_][A-Z0-9_]*$`.
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the rule.
pub fn validate_secret_name(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '_');
    if first_ok && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') {
        Ok(())
    } else {
        Err(Error::invalid_input(format!(
            "secret name {name:?} must match ^[A-Z_][A-Z0-9_]*$ (upper-case letters, digits, underscores; not starting with a digit)"
        )))
    }
}

/// The API never returns values; dropping any that arrive keeps them out of `Debug` output.
fn scrub(mut secret: SecretPublic) -> SecretPublic {
    secret.value = None;
    secret
}

impl Secrets {
    /// Lists one page of secret metadata.
    pub async fn list(&self, skip: u64, limit: u64) -> Result<Page<SecretPublic>> {
        self.client.require_key("listing secrets")?;
        let page = call(
            self.client
                .low_level()
                .customer_secrets_list_secrets()
                .skip(crate::args::signed("skip", skip)?)
                .limit(crate::args::signed("limit", limit)?)
                .send(),
        )
        .await?;
        Ok(Page::from_count(
            page.data.into_iter().map(scrub).collect(),
            page.count,
            skip,
            limit,
        ))
    }

    /// Streams the metadata of every secret, page by page.
    pub fn list_all(&self) -> ItemStream<SecretPublic> {
        let this = self.clone();
        offset_stream(0, 100, move |skip, limit| {
            let this = this.clone();
            async move { this.list(skip, limit).await }
        })
    }

    /// Gets one secret's metadata by name.
    pub async fn get(&self, name: &str) -> Result<SecretPublic> {
        validate_secret_name(name)?;
        self.client.require_key("reading a secret")?;
        let secret = call(
            self.client
                .low_level()
                .customer_secrets_get_secret()
                .name(name)
                .send(),
        )
        .await?;
        Ok(scrub(secret))
    }

    /// Creates or replaces the secret `name`; the value may be empty.
    pub async fn set(&self, name: &str, value: &str) -> Result<SecretPublic> {
        validate_secret_name(name)?;
        self.client.require_key("setting a secret")?;
        let body = crate::types::builder::SecretUpdate::default().value(value.to_owned());
        let secret = call(
            self.client
                .low_level()
                .customer_secrets_set_secret()
                .name(name)
                .body(body)
                .send(),
        )
        .await?;
        Ok(scrub(secret))
    }

    /// Deletes the secret `name`; this cannot be undone.
    pub async fn delete(&self, name: &str) -> Result<String> {
        validate_secret_name(name)?;
        self.client.require_key("deleting a secret")?;
        let msg = call(
            self.client
                .low_level()
                .customer_secrets_delete_secret()
                .name(name)
                .send(),
        )
        .await?;
        Ok(msg.message)
    }
}
