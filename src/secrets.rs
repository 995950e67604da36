//! The customer's secret store: names and metadata; values go in and never come back.

use crate::args;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::call;
use crate::pagination::{offset_paging, Page};
use crate::types::{SecretPublic, SecretUpdate};

/// Operations on secrets (`/secrets`): values go in and never come back.
///
/// # Examples
///
/// ```no_run
/// use futures::TryStreamExt;
///
/// # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
/// client.secrets().set("OPENAI_API_KEY", "sk-...").send().await?;
/// client
///     .secrets()
///     .set("REGION", "eu-west-1")
///     .sensitive(false)
///     .description("Where our upstream runs")
///     .send()
///     .await?;
/// let page = client.secrets().list().limit(20).send().await?;
/// let names: Vec<_> = client.secrets().list().stream().map_ok(|s| s.name.to_string()).try_collect().await?;
/// client.secrets().delete("REGION").await?;
/// # let _ = (page, names);
/// # Ok(())
/// # }
/// ```
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
    /// Starts a list request: 100 per page from the first.
    pub fn list(&self) -> ListSecrets {
        ListSecrets {
            client: self.client.clone(),
            skip: 0,
            limit: 100,
        }
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

    /// Starts creating or replacing the secret `name`; the value may be empty.
    ///
    /// The value is sent once and never returned, printed or logged.
    pub fn set(&self, name: &str, value: impl Into<String>) -> SetSecret {
        SetSecret {
            client: self.client.clone(),
            name: name.to_owned(),
            value: value.into(),
            description: None,
            sensitive: None,
            shared: None,
        }
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

/// A request for one page of secret metadata; finish with `send()` or `stream()`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `send()` or `stream()`"]
pub struct ListSecrets {
    client: Client,
    skip: u64,
    limit: u64,
}

offset_paging!(ListSecrets => SecretPublic, "secrets", "(default 100)");

impl ListSecrets {
    /// Fetches the page.
    pub async fn send(self) -> Result<Page<SecretPublic>> {
        let skip = args::signed("skip", self.skip)?;
        let limit = args::signed("limit", self.limit)?;
        self.client.require_key("listing secrets")?;
        let page = call(
            self.client
                .low_level()
                .customer_secrets_list_secrets()
                .skip(skip)
                .limit(limit)
                .send(),
        )
        .await?;
        Ok(Page::from_count(
            page.data.into_iter().map(scrub).collect(),
            page.count,
            self.skip,
            self.limit,
        ))
    }
}

/// A secret being stored; finish with [`send`](Self::send). Its `Debug` hides the value.
#[derive(Clone)]
#[must_use = "nothing is stored until `send()`"]
pub struct SetSecret {
    client: Client,
    name: String,
    value: String,
    description: Option<String>,
    sensitive: Option<bool>,
    shared: Option<bool>,
}

impl std::fmt::Debug for SetSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetSecret")
            .field("name", &self.name)
            .field("value", &"<redacted>")
            .field("description", &self.description)
            .field("sensitive", &self.sensitive)
            .field("shared", &self.shared)
            .finish_non_exhaustive()
    }
}

impl SetSecret {
    /// Explains, in Markdown, how the value is obtained; an empty text clears it.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Whether the value is write-only (the platform's default on create); it cannot be
    /// changed once the secret exists.
    pub fn sensitive(mut self, sensitive: bool) -> Self {
        self.sensitive = Some(sensitive);
        self
    }

    /// Stores the team's shared secret (`true`) rather than the caller's personal one.
    pub fn shared(mut self, shared: bool) -> Self {
        self.shared = Some(shared);
        self
    }

    /// Stores the secret; the answer is its metadata, never the value.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a name off the
    /// platform's pattern, a value over 4000 characters or a description over 10000, before
    /// anything is sent.
    pub async fn send(self) -> Result<SecretPublic> {
        validate_secret_name(&self.name)?;
        let body = SecretUpdate {
            value: args::text("secret value", self.value)?,
            description: args::text_opt("secret description", self.description)?,
            sensitive: self.sensitive,
        };
        self.client.require_key("setting a secret")?;
        let mut req = self
            .client
            .low_level()
            .customer_secrets_set_secret()
            .name(self.name.as_str())
            .body(body);
        if let Some(shared) = self.shared {
            req = req.shared(shared);
        }
        Ok(scrub(call(req.send()).await?))
    }
}
