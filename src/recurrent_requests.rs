//! Recurrent requests: gateway calls the platform fires on a schedule.

use crate::args::{self, Deferred};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::{call, call_unit};
use crate::ids::Id;
use crate::open_enums::RecurrentRequestStatusEnum;
use crate::pagination::{offset_stream, ItemStream, Page};
use crate::types::{RecurrentRequestCreate, RecurrentRequestPublic, RecurrentRequestUpdate};
use serde::{Deserialize, Serialize};
use std::fmt::Display;
use std::time::Duration;
use uuid::Uuid;

/// When a recurrent request fires: a fixed interval or a cron expression.
///
/// It serializes to the platform's `schedule` object:
/// `{"schedule_type":"interval","interval_seconds":60}` or
/// `{"schedule_type":"cron","cron_expression":"0 * * * *","timezone":"UTC"}`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use unitysvc::recurrent_requests::Schedule;
///
/// let hourly = Schedule::every(Duration::from_secs(3600));
/// let nightly = Schedule::cron("0 2 * * *").with_timezone("Europe/Paris");
/// # let _ = (hourly, nightly);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "schedule_type", rename_all = "snake_case")]
pub enum Schedule {
    /// Fires every `seconds` seconds.
    Interval {
        /// The period in whole seconds; must be at least 1.
        #[serde(rename = "interval_seconds")]
        seconds: u64,
    },
    /// Fires when a cron expression matches, evaluated in `timezone`.
    Cron {
        /// A five-field cron expression, e.g. `0 * * * *`.
        #[serde(rename = "cron_expression")]
        expression: String,
        /// An IANA time zone name; `UTC` unless set.
        #[serde(default = "utc")]
        timezone: String,
    },
}

fn utc() -> String {
    "UTC".to_owned()
}

impl Schedule {
    /// A fixed-interval schedule; sub-second parts of `period` are dropped.
    pub fn every(period: Duration) -> Schedule {
        Schedule::Interval {
            seconds: period.as_secs(),
        }
    }

    /// A cron schedule evaluated in UTC.
    pub fn cron(expression: impl Into<String>) -> Schedule {
        Schedule::Cron {
            expression: expression.into(),
            timezone: utc(),
        }
    }

    /// Sets the time zone of a cron schedule; an interval schedule is returned unchanged.
    pub fn with_timezone(self, tz: impl Into<String>) -> Schedule {
        match self {
            Schedule::Cron { expression, .. } => Schedule::Cron {
                expression,
                timezone: tz.into(),
            },
            interval => interval,
        }
    }

    /// Checks what the platform would reject, without sending anything.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a zero interval, an
    /// empty cron expression or an empty time zone.
    pub fn validate(&self) -> Result<()> {
        match self {
            Schedule::Interval { seconds: 0 } => Err(Error::invalid_input(
                "a schedule interval must be at least one second",
            )),
            Schedule::Interval { .. } => Ok(()),
            Schedule::Cron {
                expression,
                timezone,
            } => {
                args::non_empty("cron expression", expression)?;
                args::non_empty("schedule timezone", timezone)?;
                Ok(())
            }
        }
    }

    /// The schedule as the JSON object the API stores.
    pub fn to_json(&self) -> serde_json::Map<String, serde_json::Value> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(map)) => map,
            // Serializing a tagged enum of strings and integers always yields an object.
            _ => serde_json::Map::new(),
        }
    }

    /// Reads a stored schedule back, or `None` when it is absent or not one this crate knows.
    pub fn from_record(record: &RecurrentRequestPublic) -> Option<Schedule> {
        let map = record.schedule.clone()?;
        serde_json::from_value(serde_json::Value::Object(map)).ok()
    }
}

/// Operations on recurrent requests (`/recurrent-requests`).
#[derive(Debug, Clone)]
pub struct RecurrentRequests {
    client: Client,
}

impl Client {
    /// The customer's recurrent requests.
    pub fn recurrent_requests(&self) -> RecurrentRequests {
        RecurrentRequests {
            client: self.clone(),
        }
    }
}

impl RecurrentRequests {
    /// Starts a list request; set filters, then call `send()` or `into_stream()`.
    pub fn list(&self) -> ListRecurrentRequests {
        ListRecurrentRequests {
            client: self.client.clone(),
            service_id: None,
            enrollment_id: None,
            status: None,
            skip: 0,
            limit: 100,
            problems: Deferred::default(),
        }
    }

    /// Streams every recurrent request, page by page.
    pub fn list_all(&self) -> ItemStream<RecurrentRequestPublic> {
        self.list().into_stream()
    }

    /// Gets one recurrent request by id.
    pub async fn get(&self, request_id: impl Id) -> Result<RecurrentRequestPublic> {
        let id = request_id.to_uuid()?;
        self.client.require_key("reading a recurrent request")?;
        call(
            self.client
                .low_level()
                .customer_recurrent_requests_get_recurrent_request()
                .request_id(id)
                .send(),
        )
        .await
    }

    /// Creates a recurrent request, in `draft` status until it gets a schedule.
    pub async fn create<B>(&self, body: B) -> Result<RecurrentRequestPublic>
    where
        B: TryInto<RecurrentRequestCreate>,
        B::Error: Display,
    {
        let body: RecurrentRequestCreate = args::body("recurrent request", body)?;
        args::non_empty("request_path", &body.request_path)?;
        self.client.require_key("creating a recurrent request")?;
        call(
            self.client
                .low_level()
                .customer_recurrent_requests_create_recurrent_request()
                .body(body)
                .send(),
        )
        .await
    }

    /// Changes only the fields set in `body` (a [`RecurrentRequestUpdate`] or its builder).
    pub async fn update<B>(&self, request_id: impl Id, body: B) -> Result<RecurrentRequestPublic>
    where
        B: TryInto<RecurrentRequestUpdate>,
        B::Error: Display,
    {
        let id = request_id.to_uuid()?;
        // The generated type skips unset fields when serialized, so a PATCH sends only those.
        let body: RecurrentRequestUpdate = args::body("recurrent request update", body)?;
        self.send_update(id, body, "updating a recurrent request")
            .await
    }

    /// Sets when the request fires; a draft with no schedule becomes active on the platform.
    pub async fn set_schedule(
        &self,
        request_id: impl Id,
        schedule: &Schedule,
    ) -> Result<RecurrentRequestPublic> {
        let id = request_id.to_uuid()?;
        schedule.validate()?;
        let body = RecurrentRequestUpdate {
            schedule: Some(schedule.to_json()),
            ..RecurrentRequestUpdate::default()
        };
        self.send_update(id, body, "scheduling a recurrent request")
            .await
    }

    async fn send_update(
        &self,
        id: Uuid,
        body: RecurrentRequestUpdate,
        operation: &str,
    ) -> Result<RecurrentRequestPublic> {
        self.client.require_key(operation)?;
        call(
            self.client
                .low_level()
                .customer_recurrent_requests_update_recurrent_request()
                .request_id(id)
                .body(body)
                .send(),
        )
        .await
    }

    /// Fires the request once now; the platform answers with a summary of the run.
    pub async fn trigger(&self, request_id: impl Id) -> Result<serde_json::Value> {
        let id = request_id.to_uuid()?;
        self.client.require_key("triggering a recurrent request")?;
        call(
            self.client
                .low_level()
                .customer_recurrent_requests_trigger_recurrent_request()
                .request_id(id)
                .send(),
        )
        .await
    }

    /// Deletes a recurrent request; it stops firing.
    pub async fn delete(&self, request_id: impl Id) -> Result<()> {
        let id = request_id.to_uuid()?;
        self.client.require_key("deleting a recurrent request")?;
        call_unit(
            self.client
                .low_level()
                .customer_recurrent_requests_remove_recurrent_request()
                .request_id(id)
                .send(),
        )
        .await
    }
}

/// A request for one page of recurrent requests, optionally filtered.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `send()` or `into_stream()`"]
pub struct ListRecurrentRequests {
    client: Client,
    service_id: Option<Uuid>,
    enrollment_id: Option<Uuid>,
    status: Option<RecurrentRequestStatusEnum>,
    skip: u64,
    limit: u64,
    problems: Deferred,
}

impl ListRecurrentRequests {
    /// Keeps only requests against this service; a bad id fails at `send()`.
    pub fn service_id(mut self, id: impl Id) -> Self {
        self.service_id = self.problems.take(id.to_uuid());
        self
    }

    /// Keeps only requests made through this enrollment; a bad id fails at `send()`.
    pub fn enrollment_id(mut self, id: impl Id) -> Self {
        self.enrollment_id = self.problems.take(id.to_uuid());
        self
    }

    /// Keeps only requests in this lifecycle state.
    pub fn status(mut self, status: impl Into<RecurrentRequestStatusEnum>) -> Self {
        self.status = Some(status.into());
        self
    }

    /// Skips this many requests (default 0).
    pub fn skip(mut self, skip: u64) -> Self {
        self.skip = skip;
        self
    }

    /// Asks for at most this many per page, 1 to 1000 (default 100).
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = limit;
        self
    }

    /// Fetches the page.
    pub async fn send(self) -> Result<Page<RecurrentRequestPublic>> {
        self.problems.check()?;
        let limit = args::page_size("limit", self.limit, 1000)?;
        self.client.require_key("listing recurrent requests")?;
        let mut req = self
            .client
            .low_level()
            .customer_recurrent_requests_list_recurrent_requests()
            .skip(self.skip)
            .limit(limit);
        if let Some(id) = self.service_id {
            req = req.service_id(id);
        }
        if let Some(id) = self.enrollment_id {
            req = req.enrollment_id(id);
        }
        if let Some(status) = self.status {
            req = req.status(status);
        }
        let page = call(req.send()).await?;
        Ok(Page::from_count(
            page.data, page.count, self.skip, self.limit,
        ))
    }

    /// Streams every matching request from this request's `skip` on, `limit` per page.
    pub fn into_stream(self) -> ItemStream<RecurrentRequestPublic> {
        let (skip, limit) = (self.skip, self.limit);
        offset_stream(skip, limit, move |skip, limit| {
            self.clone().skip(skip).limit(limit).send()
        })
    }
}
