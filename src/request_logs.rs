//! The customer's request log: turning capture on and off, and reading what was captured.

use crate::args::{self, Checked};
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::http::call;
use crate::ids::Id;
use crate::pagination::{offset_paging, Page};
use crate::types::{
    GatewayRequestInfo, LoggingStatusResponse, OpsCustomerRequestLogDetail, RequestLogListItem,
    SanitizedErrorInfo, UpstreamResponseInfo, UsageEventInfo, UserRequestInfo,
};
use chrono::{DateTime, Utc};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use uuid::Uuid;

/// How much of each request and response body logging keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum LoggingMode {
    /// Keeps an 8 KB inline preview of each body.
    Truncated,
    /// Keeps the full bodies, so [`RequestLogs::get`] returns them whole.
    Complete,
    /// Keeps the mode already set in the user's preferences, else truncated.
    #[default]
    KeepPreference,
}

impl LoggingMode {
    /// The `truncate_long_message` query value this mode stands for.
    fn truncate_long_message(self) -> Option<bool> {
        match self {
            LoggingMode::Truncated => Some(true),
            LoggingMode::Complete => Some(false),
            LoggingMode::KeepPreference => None,
        }
    }
}

/// Operations on the request log (`/request-logs`).
///
/// # Examples
///
/// ```no_run
/// use futures::TryStreamExt;
/// use unitysvc::LoggingMode;
///
/// # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
/// let logs = client.request_logs();
/// logs.start(LoggingMode::Complete).await?;
/// // … gateway calls …
/// let failures = logs.list().status_min(500).limit(20).send().await?;
/// for row in &failures.items {
///     let detail = logs.get(row.log_id.as_str()).await?;
///     println!("{} {}", detail.user_request().method, detail.user_request().path);
///     if let Some(forwarded) = detail.gateway_request() {
///         println!("  forwarded to {}", forwarded.url);
///     }
/// }
/// let everything: Vec<_> = logs.list().stream().try_collect().await?;
/// logs.stop().await?;
/// # let _ = everything;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct RequestLogs {
    client: Client,
}

impl Client {
    /// The customer's request log.
    pub fn request_logs(&self) -> RequestLogs {
        RequestLogs {
            client: self.clone(),
        }
    }
}

impl RequestLogs {
    /// Turns logging on for later gateway calls; calling it again only changes the mode.
    pub async fn start(&self, mode: LoggingMode) -> Result<LoggingStatusResponse> {
        self.client.require_key("starting request logging")?;
        let mut req = self.client.low_level().customer_start_request_logging();
        if let Some(truncate) = mode.truncate_long_message() {
            req = req.truncate_long_message(truncate);
        }
        call(req.send()).await
    }

    /// Turns logging off; rows already captured stay readable.
    pub async fn stop(&self) -> Result<LoggingStatusResponse> {
        self.client.require_key("stopping request logging")?;
        call(
            self.client
                .low_level()
                .customer_stop_request_logging()
                .send(),
        )
        .await
    }

    /// Starts a list request; without a time range the API returns the last 24 hours.
    pub fn list(&self) -> ListRequestLogs {
        ListRequestLogs {
            client: self.client.clone(),
            skip: 0,
            limit: 50,
            service_id: Ok(None),
            service_enrollment_id: Ok(None),
            recurrent_request_id: Ok(None),
            status_min: None,
            status_max: None,
            start_time: None,
            end_time: None,
            user_request_path: None,
            error_source: None,
            error_type: None,
            gateway_source: None,
        }
    }

    /// Gets one logged call with its request and response, in the shape the platform
    /// chose for the caller: customers get [`RequestLogDetail::Customer`], members of the
    /// operations team [`RequestLogDetail::Operator`] with the forwarded request too.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Decode`] with the body and serde's reason (as the message and the
    /// source) when the answer matches neither shape; API errors otherwise.
    pub async fn get(&self, log_id: impl Id) -> Result<RequestLogDetail> {
        let id = log_id.to_uuid()?;
        self.client.require_key("reading a request log")?;
        let body = self.get_raw(id).await?;
        RequestLogDetail::from_json(&body)
    }

    /// Reads the detail body as bytes through the generated client's hooks (auth, retries,
    /// timeouts): the generated decoder folds both shapes into the first and drops the
    /// operator's fields.
    async fn get_raw(&self, id: Uuid) -> Result<bytes::Bytes> {
        let low = self.client.low_level();
        let info = OperationInfo {
            operation_id: "customer_get_request_log",
        };
        let mut request = low
            .client()
            .get(format!("{}/request-logs/{id}", low.baseurl()))
            .header(reqwest::header::ACCEPT, "application/json")
            .header("api-version", crate::low_level::Client::api_version())
            .build()
            .map_err(Error::from_reqwest)?;
        // Run through `call` like every generated operation, so errors name the call, the
        // key is scrubbed and the size caps apply.
        let exchange = async {
            use progenitor_client::Error as G;
            low.pre::<()>(&mut request, &info).await?;
            let result = low.exec(request, &info).await;
            low.post::<()>(&result, &info).await?;
            let response = result.map_err(G::CommunicationError)?;
            if !response.status().is_success() {
                return Err(G::UnexpectedResponse(response));
            }
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.bytes().await.map_err(G::ResponseBodyError)?;
            Ok(progenitor_client::ResponseValue::new(body, status, headers))
        };
        crate::http::call(exchange).await
    }
}

/// One logged call in full, in either of the two shapes the platform answers.
///
/// The accessors read the fields both shapes share; match on the variants for the rest.
///
/// # Examples
///
/// ```no_run
/// use unitysvc::request_logs::RequestLogDetail;
///
/// # async fn run(client: unitysvc::Client, id: uuid::Uuid) -> unitysvc::Result<()> {
/// let detail = client.request_logs().get(id).await?;
/// println!("{} {}", detail.user_request().method, detail.user_request().path);
/// if let Some(answer) = detail.upstream_response() {
///     println!("upstream said {}", answer.status_code);
/// }
/// match &detail {
///     RequestLogDetail::Operator(ops) => println!("forwarded as {:?}", ops.gateway_request),
///     RequestLogDetail::Customer(_) => {}
///     _ => {}
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RequestLogDetail {
    /// What a customer sees: the request as sent and the upstream's answer.
    Customer(crate::types::RequestLogDetail),
    /// What members of the operations team see: the same plus the request as the gateway
    /// forwarded it (`gateway_request`).
    Operator(OpsCustomerRequestLogDetail),
}

/// Keys only the operator shape carries; their presence decides the shape.
const OPERATOR_ONLY: &[&str] = &["gateway_request"];

/// Accessors for the fields both shapes share, each returning a reference into the record.
macro_rules! shared_fields {
    ($($(#[$doc:meta])* $name:ident -> $ty:ty = |$d:ident| $read:expr;)*) => {
        impl RequestLogDetail {
            $(
                $(#[$doc])*
                pub fn $name(&self) -> $ty {
                    match self {
                        RequestLogDetail::Customer($d) => $read,
                        RequestLogDetail::Operator($d) => $read,
                    }
                }
            )*
        }
    };
}

shared_fields! {
    /// The log row's id.
    log_id -> &str = |d| d.log_id.as_str();
    /// The event's id.
    event_id -> &str = |d| d.event_id.as_str();
    /// When the call happened, as the platform wrote it.
    event_timestamp -> &str = |d| d.event_timestamp.as_str();
    /// The gateway that saw the call: `apisix` or `backend`.
    gateway_source -> &str = |d| d.gateway_source.as_str();
    /// The service called, when one was resolved.
    service_id -> Option<&str> = |d| d.service_id.as_deref();
    /// The enrollment the call went through, if any.
    service_enrollment_id -> Option<&str> = |d| d.service_enrollment_id.as_deref();
    /// The recurrent request that fired the call, if any.
    recurrent_request_id -> Option<&str> = |d| d.recurrent_request_id.as_deref();
    /// The request as the caller sent it.
    user_request -> &UserRequestInfo = |d| &d.user_request;
    /// The upstream's answer, when there was one.
    upstream_response -> Option<&UpstreamResponseInfo> = |d| d.upstream_response.as_ref();
    /// Usage recorded for the call, if any.
    usage_event -> Option<&UsageEventInfo> = |d| d.usage_event.as_ref();
    /// What went wrong, for failed calls.
    error -> Option<&SanitizedErrorInfo> = |d| d.error.as_ref();
}

impl RequestLogDetail {
    /// Decodes a detail body, choosing the shape by the operator-only fields it carries.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Decode`] with the body, serde's reason in the message and as the
    /// source.
    pub fn from_json(body: &[u8]) -> Result<RequestLogDetail> {
        let decode_error = |e: serde_json::Error, shape: &str| {
            Error::new(
                ErrorKind::Decode,
                format!("the request log detail is not a valid {shape}: {e}"),
            )
            .with_body(bytes::Bytes::copy_from_slice(body))
            .with_source(e)
        };
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| decode_error(e, "JSON document"))?;
        let operator = value
            .as_object()
            .is_some_and(|o| OPERATOR_ONLY.iter().any(|k| o.contains_key(*k)));
        if operator {
            serde_json::from_value(value)
                .map(RequestLogDetail::Operator)
                .map_err(|e| decode_error(e, "operator detail"))
        } else {
            serde_json::from_value(value)
                .map(RequestLogDetail::Customer)
                .map_err(|e| decode_error(e, "customer detail"))
        }
    }

    /// The request as the gateway forwarded it upstream; operator details only.
    pub fn gateway_request(&self) -> Option<&GatewayRequestInfo> {
        match self {
            RequestLogDetail::Customer(_) => None,
            RequestLogDetail::Operator(d) => d.gateway_request.as_ref(),
        }
    }

    /// Whether this is the operator shape.
    pub fn is_operator(&self) -> bool {
        matches!(self, RequestLogDetail::Operator(_))
    }
}

/// A request for one page of request-log rows, newest first, optionally filtered.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `send()` or `stream()`"]
pub struct ListRequestLogs {
    client: Client,
    skip: u64,
    limit: u64,
    service_id: Checked<Option<Uuid>>,
    service_enrollment_id: Checked<Option<Uuid>>,
    recurrent_request_id: Checked<Option<Uuid>>,
    status_min: Option<u16>,
    status_max: Option<u16>,
    start_time: Option<DateTime<Utc>>,
    end_time: Option<DateTime<Utc>>,
    user_request_path: Option<String>,
    error_source: Option<String>,
    error_type: Option<String>,
    gateway_source: Option<String>,
}

offset_paging!(ListRequestLogs => RequestLogListItem, "rows", "1 to 200 (default 50)");

impl ListRequestLogs {
    /// Keeps only calls to this service; a bad id fails at `send()`.
    pub fn service_id(mut self, id: impl Id) -> Self {
        self.service_id = args::some_id(id);
        self
    }

    /// Keeps only calls made through this enrollment; a bad id fails at `send()`.
    pub fn service_enrollment_id(mut self, id: impl Id) -> Self {
        self.service_enrollment_id = args::some_id(id);
        self
    }

    /// Keeps only calls fired by this recurrent request; a bad id fails at `send()`.
    pub fn recurrent_request_id(mut self, id: impl Id) -> Self {
        self.recurrent_request_id = args::some_id(id);
        self
    }

    /// Keeps only calls whose upstream status is at least this (100 to 599).
    pub fn status_min(mut self, status: u16) -> Self {
        self.status_min = Some(status);
        self
    }

    /// Keeps only calls whose upstream status is at most this (100 to 599).
    pub fn status_max(mut self, status: u16) -> Self {
        self.status_max = Some(status);
        self
    }

    /// Keeps only calls at or after this instant.
    pub fn start_time(mut self, at: DateTime<Utc>) -> Self {
        self.start_time = Some(at);
        self
    }

    /// Keeps only calls at or before this instant.
    pub fn end_time(mut self, at: DateTime<Utc>) -> Self {
        self.end_time = Some(at);
        self
    }

    /// Keeps only calls whose gateway path starts with this prefix.
    pub fn user_request_path(mut self, prefix: impl Into<String>) -> Self {
        self.user_request_path = Some(prefix.into());
        self
    }

    /// Keeps only failed calls blamed on this side: `gateway` or `upstream`.
    pub fn error_source(mut self, source: impl Into<String>) -> Self {
        self.error_source = Some(source.into());
        self
    }

    /// Keeps only failed calls of this error type.
    pub fn error_type(mut self, kind: impl Into<String>) -> Self {
        self.error_type = Some(kind.into());
        self
    }

    /// Keeps only calls seen by this gateway: `apisix` or `backend`.
    pub fn gateway_source(mut self, source: impl Into<String>) -> Self {
        self.gateway_source = Some(source.into());
        self
    }

    fn check(&self) -> Result<()> {
        for id in [
            &self.service_id,
            &self.service_enrollment_id,
            &self.recurrent_request_id,
        ] {
            args::checked(id.clone())?;
        }
        for (name, status) in [
            ("status_min", self.status_min),
            ("status_max", self.status_max),
        ] {
            if let Some(status) = status {
                args::in_range(name, u64::from(status), 100, 599)?;
            }
        }
        if let (Some(min), Some(max)) = (self.status_min, self.status_max) {
            if min > max {
                return Err(Error::invalid_input(format!(
                    "status_min {min} is greater than status_max {max}"
                )));
            }
        }
        if let (Some(start), Some(end)) = (self.start_time, self.end_time) {
            if start > end {
                return Err(Error::invalid_input(format!(
                    "start_time {start} is after end_time {end}"
                )));
            }
        }
        Ok(())
    }

    /// Fetches the page.
    pub async fn send(self) -> Result<Page<RequestLogListItem>> {
        self.check()?;
        let limit = args::page_size("limit", self.limit, 200)?;
        self.client.require_key("listing request logs")?;
        let mut req = self
            .client
            .low_level()
            .customer_list_request_logs()
            .skip(self.skip)
            .limit(limit);
        if let Some(id) = args::checked(self.service_id)? {
            req = req.service_id(id);
        }
        if let Some(id) = args::checked(self.service_enrollment_id)? {
            req = req.service_enrollment_id(id);
        }
        if let Some(id) = args::checked(self.recurrent_request_id)? {
            req = req.recurrent_request_id(id);
        }
        if let Some(status) = self.status_min {
            req = req.status_min(i64::from(status));
        }
        if let Some(status) = self.status_max {
            req = req.status_max(i64::from(status));
        }
        if let Some(at) = self.start_time {
            req = req.start_time(at);
        }
        if let Some(at) = self.end_time {
            req = req.end_time(at);
        }
        if let Some(path) = self.user_request_path {
            req = req.user_request_path(path);
        }
        if let Some(source) = self.error_source {
            req = req.error_source(source);
        }
        if let Some(kind) = self.error_type {
            req = req.error_type(kind);
        }
        if let Some(source) = self.gateway_source {
            req = req.gateway_source(source);
        }
        let page = call(req.send()).await?;
        Ok(Page::from_count(
            page.items,
            page.total_count,
            self.skip,
            self.limit,
        ))
    }
}
