//! The shared request path: authentication, the call deadline, retries, size caps and
//! tracing for every control-plane call, and the conversion of generated results into ours.

use crate::config::{ApiKey, RetryBudget, RetryPolicy};
use crate::error::{self, BodyTooLarge, Error, Result};
use crate::low_level;
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use progenitor_client::{ClientInfo, OperationInfo, ResponseValue};
use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT_ENCODING, AUTHORIZATION, CONTENT_ENCODING, CONTENT_LENGTH,
    CONTENT_TYPE, USER_AGENT,
};
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tracing::field::Empty;
use tracing::Instrument;

/// What the generated client carries into its hooks: the auth header, the timeout, the
/// retry policy and the size caps.
///
/// Shared behind one `Arc`: every control-plane call keeps a handle for its error path,
/// and a clone must not copy header maps and the key.
#[derive(Clone)]
pub struct Hooks(Arc<HookData>);

impl std::ops::Deref for Hooks {
    type Target = HookData;
    fn deref(&self) -> &HookData {
        &self.0
    }
}

/// The settings behind [`Hooks`].
pub struct HookData {
    auth: Option<HeaderValue>,
    /// Kept only to scrub the key from error bodies a server echoes it in.
    key: Option<ApiKey>,
    user_agent: HeaderValue,
    /// `Accept-Encoding` for control-plane calls, when compression is on.
    accept_encoding: Option<HeaderValue>,
    /// `Authorization` and `User-Agent`, and the same with a JSON `Content-Type`: cloning
    /// a ready map is cheaper than building one per gateway request.
    gateway_headers: [HeaderMap; 2],
    timeout: Option<Duration>,
    retry: RetryPolicy,
    /// The retry budget's tokens, shared by every clone of the client.
    bucket: Option<Arc<TokenBucket>>,
    limits: Limits,
    /// Where the key and the caller's headers may go.
    origins: Origins,
}

/// The tokens of a client's [`RetryBudget`].
#[derive(Debug)]
pub(crate) struct TokenBucket {
    tokens: AtomicU32,
    budget: RetryBudget,
}

impl TokenBucket {
    pub(crate) fn new(budget: RetryBudget) -> TokenBucket {
        TokenBucket {
            tokens: AtomicU32::new(budget.capacity),
            budget,
        }
    }

    /// Takes `cost` tokens when there are that many; answers whether it did.
    fn try_spend(&self, cost: u32) -> bool {
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost))
            .is_ok()
    }

    /// Puts `n` tokens back, up to the capacity.
    fn refill(&self, n: u32) {
        if n == 0 {
            return;
        }
        let _ = self
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                Some(t.saturating_add(n).min(self.budget.capacity))
            });
    }
}

/// The origins a client sends its key to: those of its configured (or defaulted) URLs and
/// those trusted explicitly. Compared field by field, so a check allocates nothing.
#[derive(Debug, Clone, Default)]
pub(crate) struct Origins(Arc<[(String, String, u16)]>);

impl Origins {
    /// The origins of `urls`; each must parse as an http(s) URL.
    pub(crate) fn new<'a>(urls: impl IntoIterator<Item = &'a str>) -> Result<Origins> {
        let mut origins = Vec::new();
        for url in urls {
            let parsed = reqwest::Url::parse(url)
                .map_err(|e| Error::invalid_input(format!("{url:?} is not a valid URL: {e}")))?;
            let key = origin_key(&parsed)
                .ok_or_else(|| Error::invalid_input(format!("{url:?} has no origin")))?;
            if !origins.contains(&key) {
                origins.push(key);
            }
        }
        Ok(Origins(origins.into()))
    }

    /// Whether requests to `url` may carry the key.
    pub(crate) fn allows(&self, url: &reqwest::Url) -> bool {
        let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
            return false;
        };
        self.0
            .iter()
            .any(|(s, h, p)| s == url.scheme() && h.eq_ignore_ascii_case(host) && *p == port)
    }
}

/// Scheme, host and port of an http(s) URL.
fn origin_key(url: &reqwest::Url) -> Option<(String, String, u16)> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    Some((
        url.scheme().to_owned(),
        url.host_str()?.to_ascii_lowercase(),
        url.port_or_known_default()?,
    ))
}

/// `scheme://host[:port]` of a URL, as `trust_origin` takes it.
pub(crate) fn origin_text(url: &reqwest::Url) -> String {
    url.origin().ascii_serialization()
}

/// Size caps applied to every buffered response.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_response_size: usize,
    pub(crate) max_error_body: usize,
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("auth", &self.auth.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("limits", &self.limits)
            .finish()
    }
}

impl Hooks {
    pub(crate) fn new(
        key: Option<&ApiKey>,
        user_agent: &str,
        timeout: Option<Duration>,
        retry: RetryPolicy,
        limits: Limits,
        origins: Origins,
        compression: bool,
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
        let mut plain = HeaderMap::new();
        if let Some(auth) = &auth {
            plain.insert(AUTHORIZATION, auth.clone());
        }
        plain.insert(USER_AGENT, user_agent.clone());
        let mut json = plain.clone();
        json.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Ok(Hooks(Arc::new(HookData {
            auth,
            key: key.cloned(),
            user_agent,
            accept_encoding: compression.then(|| HeaderValue::from_static("gzip, zstd")),
            gateway_headers: [plain, json],
            timeout,
            bucket: retry.budget.map(|b| Arc::new(TokenBucket::new(b))),
            retry,
            limits,
            origins,
        })))
    }

    /// Adds what every control-plane request needs and the caller did not set itself: the
    /// key, the agent, the encodings accepted and the deadline.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind) for a URL on an origin the key may
    /// not go to; the request is then not sent.
    pub(crate) fn prepare(&self, request: &mut reqwest::Request) -> Result<()> {
        self.check_origin(request.url(), "request URL")?;
        self.authorize(request.headers_mut());
        if let Some(accept) = &self.accept_encoding {
            request
                .headers_mut()
                .entry(ACCEPT_ENCODING)
                .or_insert_with(|| accept.clone());
        }
        if request.timeout().is_none() {
            *request.timeout_mut() = self.timeout;
        }
        Ok(())
    }

    /// Refuses `url` unless its origin is one the key may go to; `what` says where the
    /// URL came from (`interface base_url`), for the message.
    pub(crate) fn check_origin(&self, url: &reqwest::Url, what: &str) -> Result<()> {
        if self.origins.allows(url) {
            return Ok(());
        }
        let origin = origin_text(url);
        Err(Error::invalid_input(format!(
            "the {what} is on {origin}, which is not an origin of this client (base_url and the \
             api/s3/smtp gateway URLs), so neither the API key nor its headers go there; \
             trust it with ClientBuilder::trust_origin({origin:?})"
        )))
    }

    /// Adds the `Authorization` and `User-Agent` headers unless already set.
    fn authorize(&self, headers: &mut HeaderMap) {
        if let Some(auth) = &self.auth {
            headers.entry(AUTHORIZATION).or_insert_with(|| auth.clone());
        }
        headers
            .entry(USER_AGENT)
            .or_insert_with(|| self.user_agent.clone());
    }

    /// A gateway request's headers for `url`: ours (and a JSON `Content-Type` when
    /// `json`), with the caller's `own` replacing any of the same name.
    ///
    /// This is the only way to the key for a gateway request, so the origin check here
    /// cannot be skipped: a URL on another origin gets no headers and no request.
    pub(crate) fn headers_for(
        &self,
        url: &reqwest::Url,
        what: &str,
        json: bool,
        own: HeaderMap,
    ) -> Result<HeaderMap> {
        self.check_origin(url, what)?;
        let mut headers = self.gateway_headers[usize::from(json)].clone();
        if !own.is_empty() {
            headers.extend(own);
        }
        Ok(headers)
    }

    pub(crate) fn limits(&self) -> Limits {
        self.limits
    }

    /// Scrubs this client's key from an error a server may have echoed it into.
    pub(crate) fn scrub(&self, err: Error) -> Error {
        match &self.key {
            Some(key) => err.redact(key.expose()),
            None => err,
        }
    }
}

tokio::task_local! {
    /// Lets `exec`, deep inside a generated call, tell [`call`] which operation ran where,
    /// so errors and spans can name it.
    static CALL: Arc<Mutex<Option<CallInfo>>>;
}

/// The operation a control-plane call ran, and its span. Kept cheap to fill (no
/// formatting): only a failed call turns it into names.
struct CallInfo {
    operation_id: &'static str,
    url: reqwest::Url,
    span: tracing::Span,
    hooks: Hooks,
}

impl progenitor_client::ClientHooks<Hooks> for low_level::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> std::result::Result<(), progenitor_client::Error<E>> {
        self.inner()
            .prepare(request)
            .map_err(|e| progenitor_client::Error::InvalidRequest(e.message().to_owned()))
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let hooks = self.inner();
        let span = tracing::debug_span!(
            "unitysvc.request",
            otel.name = info.operation_id,
            operation = info.operation_id,
            method = %request.method(),
            host = Empty,
            path = request.url().path(),
            status = Empty,
            attempts = Empty,
            latency_ms = Empty,
            error.kind = Empty,
        );
        if !span.is_disabled() {
            span.record("host", host_of(request.url()).as_deref().unwrap_or(""));
        }
        // Outside `call` (the low-level escape hatch) there is no scope, and nothing to tell.
        let _ = CALL.try_with(|slot| {
            if let Ok(mut slot) = slot.lock() {
                *slot = Some(CallInfo {
                    operation_id: info.operation_id,
                    url: request.url().clone(),
                    span: span.clone(),
                    hooks: hooks.clone(),
                });
            }
        });
        let limit = hooks.limits.max_response_size;
        execute_with_retries(
            self.client(),
            request,
            hooks.retry,
            hooks.bucket.as_deref(),
            &span,
        )
        .instrument(span.clone())
        .await
        .map(|resp| cap_body(resp, limit))
    }
}

/// Headers whose values are secrets: masked in every `Debug`, and marked sensitive so
/// hyper and reqwest leave them out too.
pub(crate) const SENSITIVE_HEADERS: [&str; 6] = [
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "api-key",
    "cookie",
    "set-cookie",
];

/// Marks the values of well-known secret-carrying headers sensitive.
pub(crate) fn mark_sensitive(headers: &mut HeaderMap) {
    for name in SENSITIVE_HEADERS {
        if let reqwest::header::Entry::Occupied(mut entry) = headers.entry(name) {
            for value in entry.iter_mut() {
                value.set_sensitive(true);
            }
        }
    }
}

/// `host:port` of a URL, for messages and spans.
pub(crate) fn host_of(url: &reqwest::Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

include!(concat!(env!("OUT_DIR"), "/operations/labels.rs"));

/// The SDK's name for a generated operation id (`customer_services_get_service` →
/// `services.get`), from the operation descriptions the builders are generated from.
pub(crate) fn operation_label(operation_id: &str) -> &str {
    let same = |a: &str, b: &str| {
        let fold = |c: u8| if c == b'-' { b'_' } else { c };
        a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| fold(x) == fold(y))
    };
    LABELS
        .iter()
        .find(|(id, _)| same(id, operation_id))
        .map_or(operation_id, |(_, label)| label)
}

/// Re-wraps a response so a zstd body arrives decoded, and a success body fails with
/// [`BodyTooLarge`] past `limit` decoded bytes; a `Content-Length` over the limit fails
/// before anything is read.
///
/// Error answers are not capped here: the error reads at most `max_error_body_size` of
/// them, so their status survives however large they are.
fn cap_body(mut resp: reqwest::Response, limit: usize) -> reqwest::Response {
    use reqwest::ResponseBuilderExt;
    let zstd = resp
        .headers()
        .get(CONTENT_ENCODING)
        .is_some_and(crate::zstd_body::is_zstd);
    let success = resp.status().is_success();
    // A decoded body's length is unknown until read; otherwise hyper ends a body at its
    // announced length, so one within the cap needs no count.
    let announced = if zstd { None } else { resp.content_length() };
    if !zstd && (!success || announced.is_some_and(|n| n <= limit as u64)) {
        return resp;
    }
    let status = resp.status();
    let version = resp.version();
    let url = resp.url().clone();
    let mut headers = std::mem::take(resp.headers_mut());
    if zstd {
        headers.remove(CONTENT_ENCODING);
        headers.remove(CONTENT_LENGTH);
    }
    let body: futures::stream::BoxStream<'static, std::result::Result<bytes::Bytes, BoxError>> =
        if success && announced.is_some_and(|n| n > limit as u64) {
            futures::stream::once(async move { Err(BodyTooLarge(limit).into()) }).boxed()
        } else {
            let raw = resp.bytes_stream();
            let decoded = if zstd {
                crate::zstd_body::ZstdBody::new(raw, limit).boxed()
            } else {
                raw.map_err(BoxError::from).boxed()
            };
            if success {
                let mut seen = 0usize;
                decoded
                    .and_then(move |chunk| {
                        seen = seen.saturating_add(chunk.len());
                        let over = seen > limit;
                        async move {
                            if over {
                                Err(BodyTooLarge(limit).into())
                            } else {
                                Ok(chunk)
                            }
                        }
                    })
                    .boxed()
            } else {
                decoded
            }
        };
    let mut rebuilt = http::Response::builder()
        .status(status)
        .version(version)
        .url(url)
        .body(reqwest::Body::wrap_stream(body))
        .expect("status, version and URL come from a valid response");
    *rebuilt.headers_mut() = headers;
    reqwest::Response::from(rebuilt)
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Reads a success body whole, failing with [`ErrorKind::TooLarge`](crate::ErrorKind)
/// past `limit` bytes (at once when `Content-Length` announces more).
pub(crate) async fn read_body(mut resp: reqwest::Response, limit: usize) -> Result<Bytes> {
    let too_large = || Error::from_too_large(limit);
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = resp.chunk().await.map_err(Error::from_reqwest)? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn is_idempotent(method: &reqwest::Method) -> bool {
    use reqwest::Method;
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

/// Sends `request` within one deadline (its timeout), retrying what is safe to retry.
///
/// Connection failures are retried for every method (nothing was sent); idempotent
/// requests are also retried when the connection broke before any response byte and on
/// 429/502/503/504. Waits use full jitter; a `Retry-After` is honoured exactly, and one
/// longer than `max_backoff` or past the deadline ends the call with that response.
/// Each retry spends tokens of the client's `bucket`; without enough, the call ends with
/// what it got.
pub(crate) async fn execute_with_retries(
    client: &reqwest::Client,
    request: reqwest::Request,
    policy: RetryPolicy,
    bucket: Option<&TokenBucket>,
    span: &tracing::Span,
) -> reqwest::Result<reqwest::Response> {
    let started = Instant::now();
    let deadline = request.timeout().map(|t| started + *t);
    let idempotent = is_idempotent(request.method());
    let path = request.url().path().to_owned();
    let mut attempt: u32 = 0;
    let mut request = request;
    // What the latest retry spent, given back if it succeeds.
    let mut last_cost = 0;
    loop {
        attempt += 1;
        if let Some(deadline) = deadline {
            // reqwest's own timeout then ends the attempt, body included, at the deadline.
            *request.timeout_mut() = Some(deadline.saturating_duration_since(Instant::now()));
        }
        let spare = if attempt <= policy.max_retries {
            request.try_clone()
        } else {
            None
        };
        let result = client.execute(request).await;
        let wait = match &result {
            Ok(resp) if idempotent && error::retryable_status(resp.status().as_u16()) => {
                match error::retry_after_header(resp.headers()) {
                    Some(asked) if asked > policy.max_backoff => None,
                    Some(asked) => Some(asked),
                    None => Some(policy.jittered_backoff(attempt)),
                }
            }
            Err(e) if e.is_connect() => Some(policy.jittered_backoff(attempt)),
            Err(e) if idempotent && !e.is_timeout() && !e.is_builder() && !e.is_redirect() => {
                Some(policy.jittered_backoff(attempt))
            }
            _ => None,
        };
        span.record("attempts", attempt);
        span.record("latency_ms", millis(started.elapsed()));
        if let Ok(resp) = &result {
            span.record("status", resp.status().as_u16());
        }
        let fits = |wait: Duration| deadline.is_none_or(|d| Instant::now() + wait < d);
        let cost = bucket.map_or(0, |b| match &result {
            Ok(_) => b.budget.retry_cost,
            Err(_) => b.budget.connection_retry_cost,
        });
        let affordable = || {
            let spent = bucket.is_none_or(|b| b.try_spend(cost));
            if !spent {
                tracing::debug!(parent: span, attempt, cost, path = %path, "unitysvc retry budget exhausted");
            }
            spent
        };
        match (wait, spare) {
            (Some(wait), Some(spare)) if fits(wait) && affordable() => {
                last_cost = cost;
                let reason = match &result {
                    Ok(resp) => resp.status().as_str().to_owned(),
                    Err(e) if e.is_connect() => "connect failed".to_owned(),
                    Err(_) => "connection broke before the response".to_owned(),
                };
                tracing::debug!(
                    parent: span,
                    attempt,
                    wait_ms = millis(wait),
                    reason = %reason,
                    path = %path,
                    "unitysvc retry"
                );
                tokio::time::sleep(wait).await;
                request = spare;
            }
            _ => {
                if let (Some(bucket), Ok(resp)) = (bucket, &result) {
                    // A server failure is no success, retried or not.
                    let status = resp.status();
                    if !status.is_server_error() && status != reqwest::StatusCode::TOO_MANY_REQUESTS
                    {
                        bucket.refill(if attempt == 1 {
                            bucket.budget.success_reward
                        } else {
                            last_cost
                        });
                    }
                }
                return result;
            }
        }
    }
}

pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Awaits a generated operation and converts its outcome, naming the operation in errors.
///
/// Only the await and the conversion are generic: the task-local scope around the call and
/// the error's context are compiled once for all operations, through [`scoped`] and
/// [`in_context`], rather than once per operation.
pub(crate) async fn call<T: Send, E: Send>(
    fut: impl Future<Output = std::result::Result<ResponseValue<T>, progenitor_client::Error<E>>> + Send,
) -> Result<T> {
    let mut outcome = None;
    let info = scoped(Box::pin(async { outcome = Some(fut.await) })).await;
    match outcome.expect("the scope runs the call to completion") {
        Ok(v) => Ok(v.into_inner()),
        Err(e) => {
            let limit = info.as_ref().map_or(error::DEFAULT_MAX_ERROR_BODY, |i| {
                i.hooks.limits.max_error_body
            });
            Err(in_context(error::from_generated(e, limit).await, info))
        }
    }
}

/// Runs `fut` with a [`CALL`] slot its request fills in, and returns what it was given.
async fn scoped(fut: std::pin::Pin<Box<dyn Future<Output = ()> + Send + '_>>) -> Option<CallInfo> {
    let slot = Arc::new(Mutex::new(None));
    CALL.scope(slot.clone(), fut).await;
    slot.lock().ok().and_then(|mut s| s.take())
}

/// Scrubs `err` and names the operation and host it came from, when a request was sent.
fn in_context(err: Error, info: Option<CallInfo>) -> Error {
    match info {
        Some(info) => {
            info.span
                .record("error.kind", tracing::field::debug(err.kind()));
            let host = host_of(&info.url);
            info.hooks
                .scrub(err)
                .timed_out_after(info.hooks.timeout)
                .in_call(operation_label(info.operation_id), host.as_deref())
        }
        None => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let origins = Origins::new([
            "https://api.example.test/v1",
            "http://127.0.0.1:8080",
            "https://EU.Gateway.example",
        ])
        .unwrap();
        let url = |u: &str| reqwest::Url::parse(u).unwrap();
        for allowed in [
            "https://api.example.test/p/x?y=1",
            "https://api.example.test:443/other",
            "http://127.0.0.1:8080/g/llm",
            "https://eu.gateway.example/p/x",
        ] {
            assert!(origins.allows(&url(allowed)), "{allowed}");
        }
        for refused in [
            "http://api.example.test/p/x",
            "https://api.example.test:8443/p/x",
            "http://127.0.0.2:8080/g/llm",
            "http://127.0.0.1:8081/g/llm",
            "https://api.example.test.evil.example/p/x",
            "https://user@evil.example/api.example.test",
        ] {
            assert!(!origins.allows(&url(refused)), "{refused}");
        }
    }

    #[test]
    fn bucket_spends_refills_and_stops_at_capacity() {
        let bucket = TokenBucket::new(RetryBudget::new(12).costs(5, 10));
        assert!(bucket.try_spend(10));
        assert!(!bucket.try_spend(5), "2 tokens left");
        bucket.refill(3);
        assert!(bucket.try_spend(5));
        bucket.refill(1_000);
        assert_eq!(bucket.tokens.load(Ordering::Acquire), 12);
    }

    #[test]
    fn operation_ids_read_as_sdk_calls() {
        for (id, label) in [
            ("customer-services-get_service", "services.get"),
            ("customer-aliases-list_aliases", "aliases.list"),
            ("customer-secrets-set_secret", "secrets.set"),
            (
                "customer-recurrent-requests-trigger_recurrent_request",
                "recurrent_requests.trigger",
            ),
            ("customer-groups-list_group_services", "groups.services"),
            ("customer-enroll", "enrollments.create"),
            ("customer-list_enrollments", "enrollments.list"),
            ("customer_resolve_resolve_route", "resolve.resolve"),
            ("customer_services_get_service", "services.get"),
            ("customer_groups_list_groups", "groups.list"),
            (
                "customer_aliases_switch_alias_routing",
                "aliases.switch_routing",
            ),
            ("customer_list_account_files", "files.list"),
            ("not_an_operation", "not_an_operation"),
        ] {
            assert_eq!(operation_label(id), label);
        }
    }
}
