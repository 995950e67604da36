//! Recurrent requests: gateway calls the platform fires on a schedule.

use crate::args::{self, Checked};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::{call, call_unit};
use crate::ids::Id;
use crate::open_enums::RecurrentRequestStatusEnum;
use crate::pagination::{offset_paging, Page};
use crate::types::{RecurrentRequestCreate, RecurrentRequestPublic, RecurrentRequestUpdate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;
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

/// Operations on recurrent requests (`/recurrent-requests`).
///
/// [`Services::schedule`](crate::services::Services::schedule) is the short way to schedule a
/// call to a service; this manager handles any gateway path and the requests' lifecycle.
///
/// # Examples
///
/// ```no_run
/// use std::time::Duration;
/// use serde_json::json;
/// use unitysvc::Schedule;
///
/// # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
/// let rr = client.recurrent_requests();
/// let draft = rr
///     .create("p/5f0c.../v1/chat/completions")
///     .body_template(json!({"model": "m", "messages": [{"role": "user", "content": "ping"}]}))
///     .header("X-Unitysvc-Log-Request", "true")
///     .name("hourly ping")
///     .send()
///     .await?;
/// let active = rr.set_schedule(draft.id, &Schedule::every(Duration::from_secs(3600))).await?;
/// rr.update(active.id).status("paused").send().await?;
/// let page = rr.list().status("paused").send().await?;
/// # let _ = page;
/// # Ok(())
/// # }
/// ```
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
    /// Starts a list request: 100 per page from the first, unfiltered.
    pub fn list(&self) -> ListRecurrentRequests {
        ListRecurrentRequests {
            client: self.client.clone(),
            service_id: Ok(None),
            enrollment_id: Ok(None),
            status: None,
            skip: 0,
            limit: 100,
        }
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

    /// Starts creating a recurrent request to a gateway path; it stays a `draft` until it
    /// gets a schedule.
    pub fn create(&self, request_path: impl Into<String>) -> CreateRecurrentRequest {
        CreateRecurrentRequest {
            client: self.client.clone(),
            request_path: request_path.into(),
            service_id: Ok(None),
            enrollment_id: Ok(None),
            method: None,
            body_template: Ok(None),
            headers: None,
            name: None,
        }
    }

    pub(crate) async fn create_body(
        &self,
        body: RecurrentRequestCreate,
    ) -> Result<RecurrentRequestPublic> {
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

    /// Starts changing a recurrent request; only the fields set are sent.
    pub fn update(&self, request_id: impl Id) -> UpdateRecurrentRequest {
        UpdateRecurrentRequest {
            client: self.client.clone(),
            request_id: args::check(request_id.to_uuid()),
            body: Ok(RecurrentRequestUpdate::default()),
        }
    }

    /// Sets when the request fires (a [`Schedule`], or any schedule object the platform
    /// accepts); a draft becomes active.
    pub async fn set_schedule(
        &self,
        request_id: impl Id,
        schedule: impl Serialize,
    ) -> Result<RecurrentRequestPublic> {
        self.update(request_id).schedule(schedule).send().await
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

/// A new recurrent request being set up; finish with [`send`](Self::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is created until `send()`"]
pub struct CreateRecurrentRequest {
    client: Client,
    request_path: String,
    service_id: Checked<Option<Uuid>>,
    enrollment_id: Checked<Option<Uuid>>,
    method: Option<String>,
    body_template: Checked<Option<Map<String, Value>>>,
    headers: Option<HashMap<String, String>>,
    name: Option<String>,
}

impl CreateRecurrentRequest {
    /// Records the service the request calls.
    pub fn service_id(mut self, id: impl Id) -> Self {
        self.service_id = args::some_id(id);
        self
    }

    /// Records the enrollment the request goes through.
    pub fn enrollment_id(mut self, id: impl Id) -> Self {
        self.enrollment_id = args::some_id(id);
        self
    }

    /// Sets the HTTP method; the platform's default is `POST`.
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// Sets the JSON body sent on every run, an object; anything else fails at `send()`.
    pub fn body_template(mut self, body: impl Serialize) -> Self {
        self.body_template = args::check(args::object("body_template", &body));
        self
    }

    /// Adds a header sent on every run, such as `X-Unitysvc-Log-Request`.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers
            .get_or_insert_with(HashMap::new)
            .insert(name.into(), value.into());
        self
    }

    /// Names the request, up to 200 characters.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The wire body, every argument checked.
    pub(crate) fn into_body(self) -> Result<RecurrentRequestCreate> {
        let mut body = crate::types::builder::RecurrentRequestCreate::default()
            .request_path(self.request_path)
            .service_id(args::checked(self.service_id)?)
            .enrollment_id(args::checked(self.enrollment_id)?)
            .body_template(args::checked(self.body_template)?)
            .request_headers(self.headers)
            .name(args::text_opt("recurrent request name", self.name)?);
        if let Some(method) = self.method {
            body = body.http_method(method);
        }
        args::body("recurrent request", body)
    }

    /// Creates the request, in `draft` status.
    pub async fn send(self) -> Result<RecurrentRequestPublic> {
        let manager = self.client.recurrent_requests();
        manager.create_body(self.into_body()?).await
    }
}

/// Changes to a recurrent request; unset fields are left as they are.
#[derive(Debug, Clone)]
#[must_use = "nothing is changed until `send()`"]
pub struct UpdateRecurrentRequest {
    client: Client,
    request_id: Checked<Uuid>,
    body: Checked<RecurrentRequestUpdate>,
}

impl UpdateRecurrentRequest {
    fn with(mut self, f: impl FnOnce(&mut RecurrentRequestUpdate) -> Result<()>) -> Self {
        if let Ok(body) = &mut self.body {
            if let Err(e) = f(body) {
                self.body = Err(e.to_string());
            }
        }
        self
    }

    /// Points the request at another gateway path.
    pub fn request_path(self, path: impl Into<String>) -> Self {
        let path = path.into();
        self.with(|b| {
            b.request_path = Some(path);
            Ok(())
        })
    }

    /// Replaces the JSON body sent on every run, an object.
    pub fn body_template(self, body: impl Serialize) -> Self {
        let body = args::object("body_template", &body);
        self.with(|b| {
            b.body_template = body?;
            Ok(())
        })
    }

    /// Adds a header to the set that replaces the stored headers as a whole.
    pub fn header(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let (name, value) = (name.into(), value.into());
        self.with(|b| {
            b.request_headers
                .get_or_insert_with(HashMap::new)
                .insert(name, value);
            Ok(())
        })
    }

    /// Sets when the request fires: a [`Schedule`] or any schedule object.
    pub fn schedule(self, schedule: impl Serialize) -> Self {
        let schedule = schedule_object(&schedule);
        self.with(|b| {
            b.schedule = Some(schedule?);
            Ok(())
        })
    }

    /// Renames the request.
    pub fn name(self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.with(|b| {
            b.name = Some(name);
            Ok(())
        })
    }

    /// Moves the request to another lifecycle state, e.g. `paused` or `active`.
    pub fn status(self, status: impl Into<RecurrentRequestStatusEnum>) -> Self {
        let status = status.into();
        self.with(|b| {
            b.status = Some(status);
            Ok(())
        })
    }

    /// Sends the changes.
    pub async fn send(self) -> Result<RecurrentRequestPublic> {
        let id = args::checked(self.request_id)?;
        let body = args::checked(self.body)?;
        self.client.require_key("updating a recurrent request")?;
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
}

/// A request for one page of recurrent requests, optionally filtered.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `send()` or `stream()`"]
pub struct ListRecurrentRequests {
    client: Client,
    service_id: Checked<Option<Uuid>>,
    enrollment_id: Checked<Option<Uuid>>,
    status: Option<RecurrentRequestStatusEnum>,
    skip: u64,
    limit: u64,
}

offset_paging!(ListRecurrentRequests => RecurrentRequestPublic, "recurrent requests", "1 to 1000 (default 100)");

impl ListRecurrentRequests {
    /// Keeps only requests against this service; a bad id fails at `send()`.
    pub fn service_id(mut self, id: impl Id) -> Self {
        self.service_id = args::some_id(id);
        self
    }

    /// Keeps only requests made through this enrollment; a bad id fails at `send()`.
    pub fn enrollment_id(mut self, id: impl Id) -> Self {
        self.enrollment_id = args::some_id(id);
        self
    }

    /// Keeps only requests in this lifecycle state.
    pub fn status(mut self, status: impl Into<RecurrentRequestStatusEnum>) -> Self {
        self.status = Some(status.into());
        self
    }

    /// Fetches the page.
    pub async fn send(self) -> Result<Page<RecurrentRequestPublic>> {
        let service_id = args::checked(self.service_id)?;
        let enrollment_id = args::checked(self.enrollment_id)?;
        let limit = args::page_size("limit", self.limit, 1000)?;
        self.client.require_key("listing recurrent requests")?;
        let mut req = self
            .client
            .low_level()
            .customer_recurrent_requests_list_recurrent_requests()
            .skip(self.skip)
            .limit(limit);
        if let Some(id) = service_id {
            req = req.service_id(id);
        }
        if let Some(id) = enrollment_id {
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
}
