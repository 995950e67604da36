//! The request log: turning capture on and off, and reading what was captured.
//!
//! # Examples
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use unitysvc::LoggingMode;
//!
//! # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
//! let logs = client.request_logs();
//! logs.start().mode(LoggingMode::Complete).await?;
//! // … gateway calls …
//! let failures = logs.list().status_min(500).limit(20).send().await?;
//! for row in &failures.items {
//!     let detail = logs.get(row.log_id.as_str()).await?;
//!     println!("{} {}", detail.user_request().method, detail.user_request().path);
//!     if let Some(forwarded) = detail.gateway_request() {
//!         println!("  forwarded to {}", forwarded.url);
//!     }
//! }
//! let everything: Vec<_> = logs.list().stream().try_collect().await?;
//! logs.stop().await?;
//! # let _ = everything;
//! # Ok(())
//! # }
//! ```

use crate::error::{Error, ErrorKind, Result};
use crate::types::{
    CustomerGetRequestLogResponse, GatewayRequestInfo, OpsCustomerRequestLogDetail,
    SanitizedErrorInfo, UpstreamResponseInfo, UsageEventInfo, UserRequestInfo,
};

include!(concat!(env!("OUT_DIR"), "/operations/request_logs.rs"));

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
    /// Decodes a detail body: the operator shape when it carries an operator-only field
    /// (`gateway_request`, even `null`), the customer shape otherwise.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Decode`] with the body, serde's reason in the message and as the
    /// source.
    pub fn from_json(body: &[u8]) -> Result<RequestLogDetail> {
        serde_json::from_slice::<CustomerGetRequestLogResponse>(body)
            .map(RequestLogDetail::from)
            .map_err(|e| {
                Error::new(
                    ErrorKind::Decode,
                    format!("the request log detail matches neither shape: {e}"),
                )
                .with_body_limit(
                    bytes::Bytes::copy_from_slice(body),
                    crate::error::DEFAULT_MAX_ERROR_BODY,
                )
                .with_source(e)
            })
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

pub(crate) fn detail(
    _: &GetRequestLog,
    answer: CustomerGetRequestLogResponse,
) -> Result<RequestLogDetail> {
    Ok(answer.into())
}

impl From<CustomerGetRequestLogResponse> for RequestLogDetail {
    fn from(detail: CustomerGetRequestLogResponse) -> Self {
        match detail {
            CustomerGetRequestLogResponse::OpsCustomerRequestLogDetail(d) => {
                RequestLogDetail::Operator(d)
            }
            CustomerGetRequestLogResponse::RequestLogDetail(d) => RequestLogDetail::Customer(d),
        }
    }
}

/// Ranges must not be upside down.
pub(crate) fn check_list(req: &ListRequestLogs) -> Result<()> {
    if let (Some(min), Some(max)) = (req.status_min, req.status_max) {
        if min > max {
            return Err(Error::invalid_input(format!(
                "status_min {min} is greater than status_max {max}"
            ))
            .with_parameter("status_min"));
        }
    }
    if let (Some(start), Some(end)) = (req.start_time, req.end_time) {
        if start > end {
            return Err(Error::invalid_input(format!(
                "start_time {start} is after end_time {end}"
            ))
            .with_parameter("start_time"));
        }
    }
    Ok(())
}

impl StartLogging {
    /// Chooses how much of each body is kept (the `truncate_long_message` parameter).
    pub fn mode(self, mode: LoggingMode) -> Self {
        match mode.truncate_long_message() {
            Some(truncate) => self.truncate_long_message(truncate),
            None => self,
        }
    }
}
