//! Client configuration and its environment fallbacks.

use crate::error::{Error, Result};
use std::fmt;
use std::time::Duration;

/// The control-plane URL used when none is configured.
pub const DEFAULT_API_URL: &str = "https://api.unitysvc.com/v1";
/// Environment variable holding the customer API key (`svcpass_…`).
pub const ENV_API_KEY: &str = "UNITYSVC_API_KEY";
/// Environment variable overriding the control-plane URL.
pub const ENV_API_URL: &str = "UNITYSVC_API_URL";
/// Environment variable for the HTTP API gateway URL.
pub const ENV_API_BASE_URL: &str = "UNITYSVC_API_BASE_URL";
/// Environment variable for the S3 gateway URL.
pub const ENV_S3_BASE_URL: &str = "UNITYSVC_S3_BASE_URL";
/// Environment variable for the SMTP gateway URL.
pub const ENV_SMTP_BASE_URL: &str = "UNITYSVC_SMTP_BASE_URL";
/// The per-request timeout used when none is configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// How many bytes a stream may send without completing an event, when not configured.
pub const DEFAULT_MAX_EVENT_SIZE: usize = 16 * 1024 * 1024;
/// The largest buffered response body accepted when not configured (32 MiB).
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 32 * 1024 * 1024;
/// How much of a response body an error keeps when not configured (64 KiB).
pub const DEFAULT_MAX_ERROR_BODY: usize = crate::error::DEFAULT_MAX_ERROR_BODY;
/// How long a service's interfaces are cached for dispatch, when not configured.
pub const DEFAULT_INTERFACE_CACHE_TTL: Duration = Duration::from_secs(300);
/// How many services' interfaces a client keeps at most.
pub(crate) const INTERFACE_CACHE_CAPACITY: usize = 1024;
/// How long a stream may go without bytes before it fails, when not configured.
pub const DEFAULT_STREAM_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// A customer API key; its value never appears in `Debug`, `Display`, errors or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key, rejecting an empty or whitespace-only one.
    pub fn new(key: impl Into<String>) -> Result<ApiKey> {
        let key = key.into();
        let trimmed = key.trim();
        if trimmed.is_empty() {
            return Err(Error::invalid_input(
                "the API key is empty; pass a `svcpass_…` key or build an anonymous client",
            ));
        }
        if trimmed.chars().any(|c| c.is_control()) {
            return Err(Error::invalid_input(
                "the API key contains control characters",
            ));
        }
        Ok(ApiKey(trimmed.to_owned()))
    }

    /// The key itself, for code that must send it somewhere else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How failed control-plane requests are retried.
///
/// Every wait fits inside the call's timeout: a retry that would end past it is not made.
/// Retries also draw on the client-wide [`RetryBudget`], so a failing server does not get
/// every caller's retries at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 turns retrying off.
    pub max_retries: u32,
    /// The first backoff ceiling; it doubles on each retry, and each wait is drawn
    /// uniformly below it (full jitter).
    pub initial_backoff: Duration,
    /// The longest single wait; a `Retry-After` asking for more ends the call instead.
    pub max_backoff: Duration,
    /// The client-wide retry budget; `None` lets every call retry as its policy allows.
    pub budget: Option<RetryBudget>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            budget: Some(RetryBudget::default()),
        }
    }
}

/// A token bucket shared by every call of a client (and its clones), so many callers
/// facing a failing server do not multiply its load.
///
/// Each retry spends tokens: `retry_cost` after a retryable status, `connection_retry_cost`
/// after a failed or broken connection. With too few tokens left the call is not retried
/// and returns its error. A call that succeeds at once puts `success_reward` back; one
/// that succeeds after retrying gets its last retry's cost back. The defaults (capacity
/// 500, costs 5 and 10, reward 1) allow 100 status retries from a full bucket.
///
/// # Examples
///
/// ```
/// use unitysvc::{RetryBudget, RetryPolicy};
///
/// let policy = RetryPolicy::default().budget(RetryBudget::new(50));
/// let unbounded = RetryPolicy::default().without_budget();
/// # let _ = (policy, unbounded);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryBudget {
    /// Tokens in a full bucket, and at the start.
    pub capacity: u32,
    /// Tokens a retry after a retryable status (429, 502, 503, 504) spends.
    pub retry_cost: u32,
    /// Tokens a retry after a failed or broken connection spends.
    pub connection_retry_cost: u32,
    /// Tokens a call that succeeds without retrying puts back.
    pub success_reward: u32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget {
            capacity: 500,
            retry_cost: 5,
            connection_retry_cost: 10,
            success_reward: 1,
        }
    }
}

impl RetryBudget {
    /// A budget of `capacity` tokens with the default costs and reward.
    pub fn new(capacity: u32) -> RetryBudget {
        RetryBudget {
            capacity,
            ..RetryBudget::default()
        }
    }

    /// Sets what a retry costs after a retryable status and after a connection failure.
    pub fn costs(mut self, retry: u32, connection_retry: u32) -> RetryBudget {
        self.retry_cost = retry;
        self.connection_retry_cost = connection_retry;
        self
    }

    /// Sets how many tokens a call that succeeds without retrying puts back.
    pub fn success_reward(mut self, reward: u32) -> RetryBudget {
        self.success_reward = reward;
        self
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// A policy with `max_retries` retries and the default backoff.
    pub fn with_max_retries(max_retries: u32) -> RetryPolicy {
        RetryPolicy {
            max_retries,
            ..RetryPolicy::default()
        }
    }

    /// Sets the client-wide retry budget ([`RetryBudget::default`] unless changed).
    pub fn budget(mut self, budget: RetryBudget) -> RetryPolicy {
        self.budget = Some(budget);
        self
    }

    /// Lets every call retry as this policy allows, however many others are retrying.
    pub fn without_budget(mut self) -> RetryPolicy {
        self.budget = None;
        self
    }

    /// Sets the first backoff ceiling and the longest single wait.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> RetryPolicy {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// The wait before retry number `attempt` (1-based): uniform in
    /// `0..=min(max_backoff, initial_backoff × 2^(attempt-1))`, so many clients retrying
    /// together spread out.
    pub(crate) fn jittered_backoff(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(32);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1u32 << doublings)
            .min(self.max_backoff);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=nanos))
    }
}

/// The resolved settings of a [`Client`](crate::Client).
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) api_key: Option<ApiKey>,
    pub(crate) base_url: String,
    pub(crate) api_base_url: Option<String>,
    pub(crate) s3_base_url: Option<String>,
    pub(crate) smtp_base_url: Option<String>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) stream_idle_timeout: Option<Duration>,
    pub(crate) max_event_size: usize,
    pub(crate) max_response_size: usize,
    pub(crate) max_error_body: usize,
    pub(crate) verify_ssl: bool,
    pub(crate) user_agent: String,
    pub(crate) retry: RetryPolicy,
    pub(crate) interface_cache_ttl: Duration,
    pub(crate) trusted_origins: Vec<String>,
    pub(crate) compression: bool,
}

impl Config {
    /// The control-plane base URL, e.g. `https://api.unitysvc.com/v1`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The HTTP API gateway root that gateway-relative paths are sent to.
    ///
    /// It is the configured `api_base_url`, else the control-plane URL with a trailing
    /// `/v1` removed.
    pub fn gateway_url(&self) -> &str {
        match &self.api_base_url {
            Some(url) => url,
            None => self.base_url.strip_suffix("/v1").unwrap_or(&self.base_url),
        }
    }

    /// The configured HTTP API gateway URL, if any.
    pub fn api_base_url(&self) -> Option<&str> {
        self.api_base_url.as_deref()
    }

    /// The configured S3 gateway URL, if any.
    pub fn s3_base_url(&self) -> Option<&str> {
        self.s3_base_url.as_deref()
    }

    /// The configured SMTP gateway URL, if any.
    pub fn smtp_base_url(&self) -> Option<&str> {
        self.smtp_base_url.as_deref()
    }

    /// The per-request timeout; `None` means no limit.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The largest buffered response body accepted, in bytes.
    pub fn max_response_size(&self) -> usize {
        self.max_response_size
    }

    /// The most bytes of an event a stream may hold while assembling it.
    pub fn max_event_size(&self) -> usize {
        self.max_event_size
    }

    /// How long a service's interfaces are cached for dispatch; zero means not at all.
    pub fn interface_cache_ttl(&self) -> Duration {
        self.interface_cache_ttl
    }

    /// The origins trusted beyond the configured URLs' own, as
    /// [`trust_origin`](crate::ClientBuilder::trust_origin) was given them.
    pub fn trusted_origins(&self) -> &[String] {
        &self.trusted_origins
    }

    /// Every URL whose origin the key may go to: the control plane, the gateways and the
    /// trusted origins.
    pub(crate) fn origins(&self) -> impl Iterator<Item = &str> {
        [
            Some(self.base_url.as_str()),
            Some(self.gateway_url()),
            self.s3_base_url.as_deref(),
            self.smtp_base_url.as_deref(),
        ]
        .into_iter()
        .flatten()
        .chain(self.trusted_origins.iter().map(String::as_str))
    }

    /// Whether control-plane calls ask for gzip or zstd answers.
    pub fn compression(&self) -> bool {
        self.compression
    }

    /// Whether an API key is configured.
    pub fn has_api_key(&self) -> bool {
        self.api_key.is_some()
    }
}

/// Checks and normalizes a base URL: absolute http(s), no trailing slash.
pub(crate) fn normalize_url(what: &str, url: &str) -> Result<String> {
    let url = url.trim();
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| Error::invalid_input(format!("{what} {url:?} is not a valid URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::invalid_input(format!(
            "{what} {url:?} must be an http or https URL"
        )));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::invalid_input(format!(
            "{what} {url:?} must not have a query or fragment"
        )));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// Checks an origin given to `trust_origin`: an http(s) URL with nothing after its host
/// and port but an optional `/`; answers it as `scheme://host[:port]`.
pub(crate) fn normalize_origin(origin: &str) -> Result<String> {
    let refuse = |why: &str| {
        Error::invalid_input(format!(
            "trust_origin {origin:?} {why}; give scheme://host[:port], e.g. https://eu.gateway.example"
        ))
        .with_parameter("origin")
    };
    let parsed =
        reqwest::Url::parse(origin.trim()).map_err(|e| refuse(&format!("is not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(refuse("is not an http or https origin"));
    }
    if parsed.path() != "/" || parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(refuse("has a path, query or fragment"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(refuse("has user info"));
    }
    Ok(parsed.origin().ascii_serialization())
}

pub(crate) fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_origins_are_scheme_host_and_port_only() {
        for (given, want) in [
            ("https://eu.gateway.example", "https://eu.gateway.example"),
            ("https://EU.gateway.example/", "https://eu.gateway.example"),
            ("http://127.0.0.2:8080", "http://127.0.0.2:8080"),
            ("https://gw.example:443", "https://gw.example"),
        ] {
            assert_eq!(normalize_origin(given).unwrap(), want);
        }
        for refused in [
            "eu.gateway.example",
            "ftp://gw.example",
            "https://gw.example/v1",
            "https://gw.example?x=1",
            "https://u:p@gw.example",
            "mailto:ops@gw.example",
        ] {
            let err = normalize_origin(refused).unwrap_err();
            assert!(err.to_string().starts_with("trust_origin "), "{err}");
        }
    }
}
