//! Services: detail, interfaces, documents, access plans, dispatch and scheduling.
//!
//! # Examples
//!
//! ```no_run
//! use std::time::Duration;
//! use serde_json::json;
//! use unitysvc::Schedule;
//!
//! # async fn run(client: unitysvc::Client, id: uuid::Uuid) -> unitysvc::Result<()> {
//! let service = client.services().get(id).await?;
//! for interface in client.services().interfaces(id).send().await? {
//!     println!("{} {:?}", interface.name, interface.base_url);
//! }
//! let answer = client
//!     .services()
//!     .dispatch(id)
//!     .path("chat/completions")
//!     .json(&json!({"messages": [{"role": "user", "content": "hi"}]}))
//!     .send()
//!     .await?;
//! let nightly = client
//!     .services()
//!     .schedule(id, Schedule::cron("0 2 * * *"))
//!     .path("chat/completions")
//!     .json(json!({"messages": [{"role": "user", "content": "report"}]}))
//!     .name("nightly report")
//!     .send()
//!     .await?;
//! # let _ = (service, answer, nightly);
//! # Ok(())
//! # }
//! ```

use crate::args::{self, Checked};
use crate::client::Client;
use crate::dispatch::interfaces::resolve_interface;
use crate::dispatch::{DispatchRequest, Target};
use crate::enrollments::CreateEnrollment;
use crate::error::{Error, Result};
use crate::ids::Id;
use crate::recurrent_requests::{schedule_object, CreateRecurrentRequest};
use crate::types::{AccessInterface, RecurrentRequestPublic, ServiceDetail, ServiceSummary};
use crate::wrapped::Wrappable;
use crate::wrappers::GatewayPath;
use uuid::Uuid;

include!(concat!(env!("OUT_DIR"), "/operations/services.rs"));

/// A service with its client: read its fields directly, call its methods to act on it.
///
/// Services from a group listing carry the summary fields; [`Service::refresh`] loads the
/// full detail.
///
/// # Examples
///
/// ```no_run
/// use std::time::Duration;
/// use serde_json::json;
///
/// # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
/// let page = client.groups().services("llm").limit(1).send().await?;
/// let service = page.items[0].refresh().await?;
/// let enrollment = service
///     .enroll()
///     .parameters(json!({"model": "small"}))
///     .send()
///     .await?
///     .wait_active(Duration::from_secs(30))
///     .await?;
/// let answer = service
///     .dispatch()
///     .enrollment(enrollment.id)
///     .path("chat/completions")
///     .json(&json!({"messages": [{"role": "user", "content": "hi"}]}))
///     .send()
///     .await?;
/// # let _ = answer;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Service {
    client: Client,
    record: ServiceDetail,
}

impl std::ops::Deref for Service {
    type Target = ServiceDetail;
    fn deref(&self) -> &ServiceDetail {
        &self.record
    }
}

impl Service {
    pub(crate) fn from_summary(client: Client, s: ServiceSummary) -> Service {
        Service {
            client,
            record: ServiceDetail {
                capabilities: None,
                description: None,
                display_name: s.display_name,
                enrollment_channel: None,
                gateway_type: s.gateway_type,
                id: s.id,
                list_price: None,
                listing_type: None,
                name: s.name,
                provider_name: None,
                seller_name: None,
                service_type: s.service_type,
                tags: None,
            },
        }
    }

    /// The service's record as the API returned it.
    pub fn record(&self) -> &ServiceDetail {
        &self.record
    }

    /// Takes the record out.
    pub fn into_record(self) -> ServiceDetail {
        self.record
    }

    /// Reloads the full detail.
    pub fn refresh(&self) -> GetService {
        self.client.services().get(self.record.id)
    }

    /// Starts listing the interfaces this customer can dispatch to.
    pub fn interfaces(&self) -> ListInterfaces {
        self.client.services().interfaces(self.record.id)
    }

    /// Starts a request through one of the service's interfaces.
    ///
    /// The interfaces are looked up on the first dispatch and kept in the client's cache
    /// (see [`ClientBuilder::interface_cache_ttl`](crate::ClientBuilder::interface_cache_ttl)),
    /// so later dispatches, from this record or any other, make one round trip.
    pub fn dispatch(&self) -> DispatchRequest {
        self.client.services().dispatch(self.record.id)
    }

    /// Starts enrolling in the service; the enrollment starts `pending`.
    pub fn enroll(&self) -> CreateEnrollment {
        self.client.enrollments().create(self.record.id)
    }

    /// Starts scheduling a recurring request to this service; see [`Services::schedule`].
    pub fn schedule(&self, recurrence: impl serde::Serialize) -> ScheduleRequest {
        self.client.services().schedule(self.record.id, recurrence)
    }

    /// Starts listing the service's documents.
    pub fn documents(&self) -> ListDocuments {
        self.client.services().documents(self.record.id)
    }

    /// Starts reading how the service is accessed and priced.
    pub fn usage(&self) -> GetUsage {
        self.client.services().usage(self.record.id)
    }
}

impl Wrappable for Service {
    fn gateway_request(&self) -> DispatchRequest {
        self.dispatch()
    }

    fn gateway_path(&self) -> Result<GatewayPath> {
        Ok(GatewayPath::service(self.record.id))
    }

    fn client(&self) -> &Client {
        &self.client
    }
}

impl Services {
    /// Starts a request through the service's picked interface; choose one with
    /// [`DispatchRequest::interface`] or [`DispatchRequest::enrollment`] when there are several.
    ///
    /// The service's interfaces come from the client's interface cache after the first
    /// lookup, so a dispatch is one round trip.
    pub fn dispatch(&self, service_id: impl Id) -> DispatchRequest {
        let target = service_id
            .to_uuid()
            .map(|id| Target::Service {
                id,
                interface: None,
                enrollment: None,
            })
            .map_err(|e| {
                e.with_parameter("service_id")
                    .in_call("services.dispatch", None)
            });
        DispatchRequest::new(self.client.clone(), target)
    }

    /// Starts scheduling a recurring request to the service; finish with `.send()`.
    ///
    /// `recurrence` is a [`Schedule`](crate::Schedule) or any schedule object the platform
    /// accepts, e.g. `json!({"schedule_type": "interval", "interval_seconds": 300})`. The
    /// interface is picked as [`dispatch`](Self::dispatch) picks it.
    pub fn schedule(
        &self,
        service_id: impl Id,
        recurrence: impl serde::Serialize,
    ) -> ScheduleRequest {
        ScheduleRequest {
            client: self.client.clone(),
            service_id: args::check(service_id.to_uuid()),
            recurrence: args::check(schedule_object(&recurrence)),
            interface: None,
            enrollment: None,
            path: String::new(),
            request: CreateRecurrentRequest::new(self.client.clone()),
        }
    }
}

/// What [`Services::interfaces`] answers; the client's interface cache keeps them for
/// dispatch.
pub(crate) fn interfaces_listed(
    req: &ListInterfaces,
    records: Vec<AccessInterface>,
) -> Result<Vec<AccessInterface>> {
    if let Some(id) = req.service_id {
        req.client
            .inner
            .interfaces
            .store(id, std::sync::Arc::new(records.clone()));
    }
    Ok(records)
}

pub(crate) fn got(req: &GetService, record: ServiceDetail) -> Result<Service> {
    Ok(Service {
        client: req.client.clone(),
        record,
    })
}

/// A recurring request to a service being set up; finish it with [`send`](Self::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is scheduled until send() is called"]
pub struct ScheduleRequest {
    client: Client,
    service_id: Checked<Uuid>,
    recurrence: Checked<serde_json::Map<String, serde_json::Value>>,
    interface: Option<String>,
    enrollment: Option<Checked<Uuid>>,
    path: String,
    request: CreateRecurrentRequest,
}

impl ScheduleRequest {
    /// Chooses the interface by name.
    pub fn interface(mut self, name: impl Into<String>) -> Self {
        self.interface = Some(name.into());
        self
    }

    /// Picks the interface bound to this enrollment, and records the enrollment on the
    /// request; without it no enrollment is recorded, whichever interface is picked.
    pub fn enrollment(mut self, enrollment: impl Id) -> Self {
        self.enrollment = Some(args::check(enrollment.to_uuid()));
        self
    }

    /// Appends a sub-path to the interface URL.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Sets the HTTP method; `POST` by default.
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.request = self.request.method(method);
        self
    }

    /// Sets the JSON body sent on every run, an object; anything else fails at `send()`.
    pub fn json(mut self, body: impl serde::Serialize) -> Self {
        self.request = self.request.body_template(body);
        self
    }

    /// Adds a header sent on every run.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.request = self.request.header(name, value);
        self
    }

    /// Names the recurrent request, up to 200 characters.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.request = self.request.name(name);
        self
    }

    /// Creates the recurrent request, then sets its schedule.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a bad id, schedule,
    /// body or name before anything is sent, or when no interface can be picked; API errors
    /// otherwise.
    pub async fn send(self) -> Result<RecurrentRequestPublic> {
        const LABEL: &str = "services.schedule";
        let refused = |param: &'static str| {
            move |e: String| {
                Error::invalid_input(e)
                    .with_parameter(param)
                    .in_call(LABEL, None)
            }
        };
        let service_id = self.service_id.map_err(refused("service_id"))?;
        let enrollment = self
            .enrollment
            .map(|e| e.map_err(refused("enrollment")))
            .transpose()?;
        let recurrence = self.recurrence.map_err(refused("recurrence"))?;
        // The request's own arguments fail here, before the interface lookup is sent.
        self.request.invalid.check(LABEL)?;
        let picked = resolve_interface(
            &self.client,
            service_id,
            self.interface.as_deref(),
            enrollment,
        )
        .await
        .map_err(|e| e.in_call(LABEL, None))?;
        // The platform stores the path verbatim and calls it on every run with this
        // customer's credentials, so it is held to the origins the key may go to.
        let base = picked
            .url()
            .and_then(|url| {
                self.client
                    .hooks()
                    .check_origin(&url, "service's interface base_url")
            })
            .and_then(|()| picked.base_url())
            .map_err(|e| e.in_call(LABEL, None))?;
        let mut request = self
            .request
            .request_path(crate::wrappers::join_subpath(base, &self.path))
            .service_id(service_id);
        // Only the caller's choice is recorded: the interface picked for an unspecified
        // enrollment may change as enrollments come and go.
        if let Some(enrollment) = enrollment {
            request = request.enrollment_id(enrollment);
        }
        let created = request.send().await?;
        self.client
            .recurrent_requests()
            .update(created.id)
            .schedule(recurrence)
            .send()
            .await
    }
}
