//! The customer's request log: turning capture on and off, and reading what was captured.

use crate::args::{self, Deferred};
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::http::{call, decode_value};
use crate::ids::Id;
use crate::pagination::{offset_stream, ItemStream, Page};
use crate::types::{LoggingStatusResponse, RequestLogDetail, RequestLogListItem};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// How much of each request and response body logging keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
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
            service_id: None,
            service_enrollment_id: None,
            recurrent_request_id: None,
            status_min: None,
            status_max: None,
            start_time: None,
            end_time: None,
            user_request_path: None,
            error_source: None,
            error_type: None,
            gateway_source: None,
            problems: Deferred::default(),
        }
    }

    /// Gets one logged call with its request and response.
    pub async fn get(&self, log_id: impl Id) -> Result<RequestLogDetail> {
        let id = log_id.to_uuid()?;
        self.client.require_key("reading a request log")?;
        let detail = call(
            self.client
                .low_level()
                .customer_get_request_log()
                .log_id(id)
                .send(),
        )
        .await?;
        // The API answers one of two shapes; the operator one is a superset of the customer
        // one, so either decodes into the customer detail.
        match (detail.subtype_0, detail.subtype_1) {
            (Some(detail), _) => Ok(detail),
            (None, Some(ops)) => {
                let value = serde_json::to_value(ops).map_err(|e| {
                    Error::new(
                        ErrorKind::Decode,
                        format!("cannot re-read the log detail: {e}"),
                    )
                })?;
                decode_value(value)
            }
            (None, None) => Err(Error::new(
                ErrorKind::Decode,
                "the request log detail matches neither documented shape",
            )),
        }
    }
}

/// A request for one page of request-log rows, newest first, optionally filtered.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `send()` or `into_stream()`"]
pub struct ListRequestLogs {
    client: Client,
    skip: u64,
    limit: u64,
    service_id: Option<Uuid>,
    service_enrollment_id: Option<Uuid>,
    recurrent_request_id: Option<Uuid>,
    status_min: Option<u16>,
    status_max: Option<u16>,
    start_time: Option<DateTime<Utc>>,
    end_time: Option<DateTime<Utc>>,
    user_request_path: Option<String>,
    error_source: Option<String>,
    error_type: Option<String>,
    gateway_source: Option<String>,
    problems: Deferred,
}

impl ListRequestLogs {
    /// Skips this many rows (default 0).
    pub fn skip(mut self, skip: u64) -> Self {
        self.skip = skip;
        self
    }

    /// Asks for at most this many rows per page, 1 to 200 (default 50).
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = limit;
        self
    }

    /// Keeps only calls to this service; a bad id fails at `send()`.
    pub fn service_id(mut self, id: impl Id) -> Self {
        self.service_id = self.problems.take(id.to_uuid());
        self
    }

    /// Keeps only calls made through this enrollment; a bad id fails at `send()`.
    pub fn service_enrollment_id(mut self, id: impl Id) -> Self {
        self.service_enrollment_id = self.problems.take(id.to_uuid());
        self
    }

    /// Keeps only calls fired by this recurrent request; a bad id fails at `send()`.
    pub fn recurrent_request_id(mut self, id: impl Id) -> Self {
        self.recurrent_request_id = self.problems.take(id.to_uuid());
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
        self.problems.check()?;
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
        if let Some(id) = self.service_id {
            req = req.service_id(id);
        }
        if let Some(id) = self.service_enrollment_id {
            req = req.service_enrollment_id(id);
        }
        if let Some(id) = self.recurrent_request_id {
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

    /// Streams every matching row from this request's `skip` on, `limit` per page.
    pub fn into_stream(self) -> ItemStream<RequestLogListItem> {
        let (skip, limit) = (self.skip, self.limit);
        offset_stream(skip, limit, move |skip, limit| {
            self.clone().skip(skip).limit(limit).send()
        })
    }
}
