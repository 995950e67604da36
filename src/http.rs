//! The shared request path: authentication, timeouts, retries and tracing for every
//! control-plane call, and the conversion of generated results into ours.

use crate::config::{ApiKey, RetryPolicy};
use crate::error::{self, Error, Result};
use crate::low_level;
use progenitor_client::{ClientInfo, OperationInfo, ResponseValue};
use reqwest::header::{HeaderValue, AUTHORIZATION, USER_AGENT};
use std::future::Future;
use std::time::Duration;

/// What the generated client carries into its hooks: the auth header, the timeout and the
/// retry policy.
#[derive(Clone)]
pub struct Hooks {
    auth: Option<HeaderValue>,
    user_agent: HeaderValue,
    timeout: Option<Duration>,
    retry: RetryPolicy,
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("auth", &self.auth.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish()
    }
}

impl Hooks {
    pub(crate) fn new(
        key: Option<&ApiKey>,
        user_agent: &str,
        timeout: Option<Duration>,
        retry: RetryPolicy,
    ) -> Result<Hooks> {
        let auth = key
            .map(|k| {
                let mut v = HeaderValue::from_str(&format!("Bearer {}", k.expose()))
                    .map_err(|_| Error::invalid_input("the API key is not a valid header value"))?;
                // Sensitive values are left out of hyper's and reqwest's debug output.
                v.set_sensitive(true);
                Ok::<_, Error>(v)
            })
            .transpose()?;
        let user_agent = HeaderValue::from_str(user_agent)
            .map_err(|_| Error::invalid_input("the user agent is not a valid header value"))?;
        Ok(Hooks {
            auth,
            user_agent,
            timeout,
            retry,
        })
    }

    /// Adds what every request needs and the caller did not set itself.
    pub(crate) fn prepare(&self, request: &mut reqwest::Request) {
        let headers = request.headers_mut();
        if let Some(auth) = &self.auth {
            if !headers.contains_key(AUTHORIZATION) {
                headers.insert(AUTHORIZATION, auth.clone());
            }
        }
        if !headers.contains_key(USER_AGENT) {
            headers.insert(USER_AGENT, self.user_agent.clone());
        }
        if request.timeout().is_none() {
            *request.timeout_mut() = self.timeout;
        }
    }

    pub(crate) fn retry(&self) -> RetryPolicy {
        self.retry
    }
}

impl progenitor_client::ClientHooks<Hooks> for low_level::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> std::result::Result<(), progenitor_client::Error<E>> {
        self.inner().prepare(request);
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        execute_with_retries(
            self.client(),
            request,
            self.inner().retry(),
            info.operation_id,
        )
        .await
    }
}

fn is_idempotent(method: &reqwest::Method) -> bool {
    use reqwest::Method;
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

/// Sends `request`, retrying idempotent ones on connection failures and on 429/502/503/504
/// with exponential backoff; a `Retry-After` header wins over the backoff, up to the cap.
pub(crate) async fn execute_with_retries(
    client: &reqwest::Client,
    request: reqwest::Request,
    policy: RetryPolicy,
    operation: &str,
) -> reqwest::Result<reqwest::Response> {
    let method = request.method().clone();
    let retries = if is_idempotent(&method) {
        policy.max_retries
    } else {
        0
    };
    let mut backoff = policy.initial_backoff;
    let mut attempt = 0;
    let mut request = request;
    loop {
        // A streaming body cannot be cloned; such a request gets one attempt.
        let spare = if attempt < retries {
            request.try_clone()
        } else {
            None
        };
        let started = std::time::Instant::now();
        let result = client.execute(request).await;
        let wait = match (&result, &spare) {
            (Ok(resp), Some(_)) if error::retryable_status(resp.status().as_u16()) => {
                Some(error::retry_after_header(resp.headers()).unwrap_or(backoff))
            }
            (Err(e), Some(_)) if e.is_connect() || e.is_timeout() => Some(backoff),
            _ => None,
        };
        match &result {
            Ok(resp) => tracing::debug!(
                operation,
                %method,
                status = resp.status().as_u16(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                attempt,
                "unitysvc request"
            ),
            Err(e) => {
                tracing::debug!(operation, %method, error = %e, attempt, "unitysvc request failed")
            }
        }
        match (wait, spare) {
            (Some(wait), Some(spare)) => {
                tokio::time::sleep(wait.min(policy.max_backoff)).await;
                backoff = (backoff * 2).min(policy.max_backoff);
                attempt += 1;
                request = spare;
            }
            _ => return result,
        }
    }
}

/// Awaits a generated operation and converts its outcome.
pub(crate) async fn call<T, E>(
    fut: impl Future<Output = std::result::Result<ResponseValue<T>, progenitor_client::Error<E>>>,
) -> Result<T> {
    match fut.await {
        Ok(v) => Ok(v.into_inner()),
        Err(e) => Err(error::from_generated(e).await),
    }
}

/// Awaits a generated operation that answers 204 (or whose body does not matter).
pub(crate) async fn call_unit<T, E>(
    fut: impl Future<Output = std::result::Result<ResponseValue<T>, progenitor_client::Error<E>>>,
) -> Result<()> {
    call(fut).await.map(drop)
}
