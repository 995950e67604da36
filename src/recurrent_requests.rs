//! Recurrent requests: gateway calls the platform fires on a schedule.
//!
//! [`Services::schedule`](crate::services::Services::schedule) is the short way to schedule a
//! call to a service; this manager handles any gateway path and the requests' lifecycle.
//!
//! # Examples
//!
//! ```no_run
//! use std::time::Duration;
//! use serde_json::json;
//! use unitysvc::Schedule;
//!
//! # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
//! let rr = client.recurrent_requests();
//! let draft = rr
//!     .create("p/5f0c.../v1/chat/completions")
//!     .body_template(json!({"model": "m", "messages": [{"role": "user", "content": "ping"}]}))
//!     .header("X-Unitysvc-Log-Request", "true")
//!     .name("hourly ping")
//!     .send()
//!     .await?;
//! let active = rr.set_schedule(draft.id, Schedule::every(Duration::from_secs(3600))).send().await?;
//! rr.update(active.id).status("paused").send().await?;
//! let page = rr.list().status("paused").send().await?;
//! # let _ = page;
//! # Ok(())
//! # }
//! ```

use crate::args;
use crate::error::{Error, Result};
use crate::ids::Id;
use crate::types::RecurrentRequestPublic;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::time::Duration;

include!(concat!(
    env!("OUT_DIR"),
    "/operations/recurrent_requests.rs"
));

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
#[non_exhaustive]
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

/// Turns a caller's schedule (a [`Schedule`] or any JSON object the platform accepts) into
/// the object sent, checking what [`Schedule::validate`] checks when it is one this crate
/// knows; other shapes are left for the platform to judge.
pub(crate) fn schedule_object(schedule: &impl Serialize) -> Result<Map<String, Value>> {
    let map = args::object("schedule", schedule)?
        .ok_or_else(|| Error::invalid_input("the schedule must be a JSON object, got null"))?;
    if let Ok(known) = serde_json::from_value::<Schedule>(Value::Object(map.clone())) {
        known.validate()?;
    }
    Ok(map)
}

impl RecurrentRequests {
    /// Starts setting when the request fires (a [`Schedule`], or any schedule object the
    /// platform accepts); a draft becomes active.
    pub fn set_schedule(
        &self,
        request_id: impl Id,
        schedule: impl Serialize,
    ) -> UpdateRecurrentRequest {
        self.update(request_id).schedule(schedule)
    }
}

impl CreateRecurrentRequest {
    /// Sets the HTTP method sent on every run; `POST` by default (the `http_method` field).
    pub fn method(self, method: impl Into<String>) -> Self {
        self.http_method(method)
    }

    /// Adds a header sent on every run.
    pub fn header(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.request_header(name, value)
    }
}

impl UpdateRecurrentRequest {
    /// Adds a header to the set that replaces the stored headers as a whole.
    pub fn header(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.request_header(name, value)
    }

    /// Sets when the request fires: a [`Schedule`] or any schedule object; a known
    /// schedule shape is checked before sending.
    pub fn schedule(mut self, schedule: impl Serialize) -> Self {
        let checked = schedule_object(&schedule).map_err(|e| e.message().to_owned());
        if let Some(map) = self.invalid.keep("schedule", checked) {
            self.body = self.body.schedule(Some(map));
        }
        self
    }
}
