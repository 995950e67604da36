//! Enrollments: a customer's subscription to a service, activated asynchronously.

use crate::args::{self, Checked};
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::http::call;
use crate::ids::Id;
use crate::open_enums::ServiceEnrollmentStatusEnum as Status;
use crate::pagination::{offset_paging, Page};
use crate::types::{
    CustomerEnrollment, CustomerEnrollmentCancelResponse, CustomerEnrollmentCreateResponse,
};
use serde_json::{Map, Value};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Operations on enrollments (`/enrollments`).
///
/// # Examples
///
/// ```no_run
/// use futures::TryStreamExt;
/// use serde_json::json;
/// use std::time::Duration;
///
/// # async fn run(client: unitysvc::Client, service_id: uuid::Uuid) -> unitysvc::Result<()> {
/// let created = client
///     .enrollments()
///     .create(service_id)
///     .parameters(json!({"api_key_secret": "OPENAI_API_KEY"}))
///     .send()
///     .await?;
/// let active = created.wait_active(Duration::from_secs(30)).await?;
/// println!("{} is {}", active.id, active.status);
///
/// let page = client.enrollments().list().limit(20).with_service(false).send().await?;
/// let everything: Vec<_> = client.enrollments().list().stream().try_collect().await?;
/// # let _ = (page, everything);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Enrollments {
    client: Client,
}

impl Client {
    /// The customer's enrollments.
    pub fn enrollments(&self) -> Enrollments {
        Enrollments {
            client: self.clone(),
        }
    }
}

/// An enrollment with its client: read its fields directly, refresh or cancel it.
///
/// # Examples
///
/// ```no_run
/// # async fn run(client: unitysvc::Client, id: uuid::Uuid) -> unitysvc::Result<()> {
/// let enrollment = client.enrollments().get(id).await?;
/// if !enrollment.is_active() {
///     let enrollment = enrollment.refresh().await?;
///     println!("now {}", enrollment.status);
/// }
/// enrollment.cancel().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Enrollment {
    client: Client,
    record: CustomerEnrollment,
}

impl std::ops::Deref for Enrollment {
    type Target = CustomerEnrollment;
    fn deref(&self) -> &CustomerEnrollment {
        &self.record
    }
}

impl Enrollment {
    /// The enrollment's record as the API returned it.
    pub fn record(&self) -> &CustomerEnrollment {
        &self.record
    }

    /// Takes the record out.
    pub fn into_record(self) -> CustomerEnrollment {
        self.record
    }

    /// Whether the enrollment is active.
    pub fn is_active(&self) -> bool {
        self.record.status == Status::Active
    }

    /// Reloads the enrollment.
    pub async fn refresh(&self) -> Result<Enrollment> {
        self.client.enrollments().get(self.record.id).await
    }

    /// Cancels the enrollment; its parameters are kept for re-enrolling.
    pub async fn cancel(&self) -> Result<CustomerEnrollmentCancelResponse> {
        let enrollments = self.client.enrollments();
        enrollments
            .cancel_of(self.record.id, Some(self.record.service_id))
            .await
    }

    /// Polls until the enrollment is active, backing off from 100 ms up to 2 s between reads.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Api`] when it is cancelled or paused (it will not activate by itself),
    /// [`ErrorKind::Timeout`] when `timeout` passes first, or any error of the reads.
    pub async fn wait_active(&self, timeout: Duration) -> Result<Enrollment> {
        let deadline = Instant::now() + timeout;
        let mut delay = Duration::from_millis(100);
        let mut current = self.clone();
        loop {
            match &current.record.status {
                Status::Active => {
                    if self.record.status != Status::Active {
                        // A newly active enrollment may bring its own interface.
                        self.client
                            .inner
                            .interfaces
                            .invalidate(self.record.service_id);
                    }
                    return Ok(current);
                }
                Status::Cancelled | Status::Paused => {
                    return Err(Error::new(
                        ErrorKind::Api,
                        format!(
                            "enrollment {} is {} and will not become active",
                            current.record.id, current.record.status
                        ),
                    ))
                }
                _ => {}
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "enrollment {} is still {} after {timeout:?}",
                        current.record.id, current.record.status
                    ),
                ));
            }
            tokio::time::sleep(delay.min(deadline - now)).await;
            delay = (delay * 2).min(Duration::from_secs(2));
            current = current.refresh().await?;
        }
    }
}

/// The platform's acknowledgement of a new enrollment: its id, status, activation task and
/// message, as the `202 Accepted` answer carries them.
///
/// Enrolling makes one request; [`refresh`](Self::refresh) or
/// [`wait_active`](Self::wait_active) read the full [`Enrollment`] when it is wanted.
///
/// # Examples
///
/// ```no_run
/// use std::time::Duration;
///
/// # async fn run(service: unitysvc::Service) -> unitysvc::Result<()> {
/// let created = service.enroll().send().await?;
/// println!("{}: {} (task {})", created.id, created.message, created.task_id);
/// let enrollment = created.wait_active(Duration::from_secs(30)).await?;
/// # let _ = enrollment;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct EnrollmentCreated {
    client: Client,
    record: CustomerEnrollmentCreateResponse,
}

impl std::ops::Deref for EnrollmentCreated {
    type Target = CustomerEnrollmentCreateResponse;
    fn deref(&self) -> &CustomerEnrollmentCreateResponse {
        &self.record
    }
}

impl EnrollmentCreated {
    /// The acknowledgement as the API returned it.
    pub fn record(&self) -> &CustomerEnrollmentCreateResponse {
        &self.record
    }

    /// Takes the acknowledgement out.
    pub fn into_record(self) -> CustomerEnrollmentCreateResponse {
        self.record
    }

    /// Reads the full enrollment.
    pub async fn refresh(&self) -> Result<Enrollment> {
        self.client.enrollments().get(self.record.id).await
    }

    /// Cancels the enrollment.
    pub async fn cancel(&self) -> Result<CustomerEnrollmentCancelResponse> {
        let enrollments = self.client.enrollments();
        enrollments
            .cancel_of(self.record.id, Some(self.record.service_id))
            .await
    }

    /// Reads the enrollment, then polls until it is active; see [`Enrollment::wait_active`].
    pub async fn wait_active(&self, timeout: Duration) -> Result<Enrollment> {
        let started = Instant::now();
        let current = self.refresh().await?;
        let active = current
            .wait_active(timeout.saturating_sub(started.elapsed()))
            .await?;
        // It may have become active before the first read; its interface is new either way.
        self.client
            .inner
            .interfaces
            .invalidate(self.record.service_id);
        Ok(active)
    }
}

impl Enrollments {
    fn wrap(&self, record: CustomerEnrollment) -> Enrollment {
        Enrollment {
            client: self.client.clone(),
            record,
        }
    }

    /// Starts a list request: 100 per page from the first, with each service's details.
    pub fn list(&self) -> ListEnrollments {
        ListEnrollments {
            enrollments: self.clone(),
            skip: 0,
            limit: 100,
            with_service: true,
            shared: None,
        }
    }

    /// Gets one enrollment.
    pub async fn get(&self, enrollment_id: impl Id) -> Result<Enrollment> {
        let id = enrollment_id.to_uuid()?;
        self.client.require_key("reading an enrollment")?;
        let record = call(
            self.client
                .low_level()
                .customer_get_enrollment()
                .enrollment_id(id)
                .send(),
        )
        .await?;
        Ok(self.wrap(record))
    }

    /// Starts enrolling in a service; it starts `pending` and activates in the background.
    pub fn create(&self, service_id: impl Id) -> CreateEnrollment {
        CreateEnrollment {
            client: self.client.clone(),
            service_id: args::check(service_id.to_uuid()),
            parameters: Ok(None),
            shared: None,
        }
    }

    /// Cancels an enrollment; its parameters are kept for re-enrolling.
    pub async fn cancel(&self, enrollment_id: impl Id) -> Result<CustomerEnrollmentCancelResponse> {
        self.cancel_of(enrollment_id.to_uuid()?, None).await
    }

    /// Cancels an enrollment of `service`, when known, and forgets the interfaces it may
    /// have brought.
    async fn cancel_of(
        &self,
        id: Uuid,
        service: Option<Uuid>,
    ) -> Result<CustomerEnrollmentCancelResponse> {
        self.client.require_key("cancelling an enrollment")?;
        let cancelled = call(
            self.client
                .low_level()
                .customer_cancel_enrollment()
                .enrollment_id(id)
                .send(),
        )
        .await?;
        let cache = &self.client.inner.interfaces;
        match service {
            Some(service) => {
                cache.invalidate(service);
                cache.forget_enrollment(id);
            }
            None => cache.invalidate_enrollment(id),
        }
        Ok(cancelled)
    }
}

/// A request for one page of enrollments; finish with `send()` or `stream()`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `send()` or `stream()`"]
pub struct ListEnrollments {
    enrollments: Enrollments,
    skip: u64,
    limit: u64,
    with_service: bool,
    shared: Option<bool>,
}

offset_paging!(ListEnrollments => Enrollment, "enrollments", "(default 100)");

impl ListEnrollments {
    /// Whether each enrollment embeds its service's details (default `true`).
    pub fn with_service(mut self, with_service: bool) -> Self {
        self.with_service = with_service;
        self
    }

    /// Lists the team's shared enrollments (`true`) or the caller's personal ones
    /// (`false`); the platform's default applies unless set.
    pub fn shared(mut self, shared: bool) -> Self {
        self.shared = Some(shared);
        self
    }

    /// Fetches the page.
    pub async fn send(self) -> Result<Page<Enrollment>> {
        let skip = args::signed("skip", self.skip)?;
        let limit = args::signed("limit", self.limit)?;
        let client = &self.enrollments.client;
        client.require_key("listing enrollments")?;
        let mut req = client
            .low_level()
            .customer_list_enrollments()
            .skip(skip)
            .limit(limit)
            .include_service_details(self.with_service);
        if let Some(shared) = self.shared {
            req = req.shared(shared);
        }
        let page = call(req.send()).await?;
        let items = page
            .data
            .into_iter()
            .map(|e| self.enrollments.wrap(e))
            .collect();
        Ok(Page::from_count(items, page.count, self.skip, self.limit))
    }
}

/// A new enrollment being set up; finish with [`send`](Self::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is enrolled until `send()`"]
pub struct CreateEnrollment {
    client: Client,
    service_id: Checked<Uuid>,
    parameters: Checked<Option<Map<String, Value>>>,
    shared: Option<bool>,
}

impl CreateEnrollment {
    /// Sets the user parameters (bring-your-own keys or endpoints, model choice), a JSON
    /// object; anything else fails at `send()`.
    pub fn parameters(mut self, parameters: impl serde::Serialize) -> Self {
        self.parameters = args::check(args::object("parameters", &parameters));
        self
    }

    /// Creates a shared team enrollment (`true`) rather than a personal one.
    pub fn shared(mut self, shared: bool) -> Self {
        self.shared = Some(shared);
        self
    }

    /// Enrolls, in one request; the answer is the platform's acknowledgement.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for a bad service id or parameters that are not a JSON
    /// object, before anything is sent; API errors otherwise.
    pub async fn send(self) -> Result<EnrollmentCreated> {
        let service_id = args::checked(self.service_id)?;
        let parameters = args::checked(self.parameters)?;
        self.client.require_key("enrolling")?;
        let body = crate::types::builder::ServiceEnrollmentCreate::default()
            .service_id(service_id)
            .parameters(parameters);
        let mut req = self.client.low_level().customer_enroll().body(body);
        if let Some(shared) = self.shared {
            req = req.shared(shared);
        }
        let record = call(req.send()).await?;
        self.client.inner.interfaces.invalidate(service_id);
        Ok(EnrollmentCreated {
            client: self.client,
            record,
        })
    }
}
