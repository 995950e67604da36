//! Enrollments: a customer's subscription to a service, activated asynchronously.
//!
//! # Examples
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use serde_json::json;
//! use std::time::Duration;
//!
//! # async fn run(client: unitysvc::Client, service_id: uuid::Uuid) -> unitysvc::Result<()> {
//! let created = client
//!     .enrollments()
//!     .create(service_id)
//!     .parameters(json!({"api_key_secret": "OPENAI_API_KEY"}))
//!     .send()
//!     .await?;
//! let active = created.wait_active(Duration::from_secs(30)).await?;
//! println!("{} is {}", active.id, active.status);
//!
//! let page = client.enrollments().list().limit(20).with_service(false).send().await?;
//! let everything: Vec<_> = client.enrollments().list().stream().try_collect().await?;
//! # let _ = (page, everything);
//! # Ok(())
//! # }
//! ```

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::open_enums::ServiceEnrollmentStatusEnum as Status;
use crate::types::{
    CustomerEnrollment, CustomerEnrollmentCancelResponse, CustomerEnrollmentCreateResponse,
};
use std::time::{Duration, Instant};

include!(concat!(env!("OUT_DIR"), "/operations/enrollments.rs"));

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
    pub(crate) fn new(client: &Client, record: CustomerEnrollment) -> Enrollment {
        Enrollment {
            client: client.clone(),
            record,
        }
    }

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

    /// Starts reloading the enrollment.
    pub fn refresh(&self) -> GetEnrollment {
        self.client.enrollments().get(self.record.id)
    }

    /// Cancels the enrollment; its parameters are kept for re-enrolling.
    pub async fn cancel(&self) -> Result<CustomerEnrollmentCancelResponse> {
        cancel_of(&self.client, self.record.id, self.record.service_id).await
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

    /// Starts reading the full enrollment.
    pub fn refresh(&self) -> GetEnrollment {
        self.client.enrollments().get(self.record.id)
    }

    /// Cancels the enrollment.
    pub async fn cancel(&self) -> Result<CustomerEnrollmentCancelResponse> {
        cancel_of(&self.client, self.record.id, self.record.service_id).await
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

/// Cancels an enrollment of a known service; the service's cached interfaces go too.
async fn cancel_of(
    client: &Client,
    id: uuid::Uuid,
    service: uuid::Uuid,
) -> Result<CustomerEnrollmentCancelResponse> {
    let cancelled = client.enrollments().cancel(id).await?;
    client.inner.interfaces.invalidate(service);
    Ok(cancelled)
}

pub(crate) fn got(req: &GetEnrollment, record: CustomerEnrollment) -> Result<Enrollment> {
    Ok(Enrollment::new(&req.client, record))
}

/// A new enrollment may bring its service an interface of its own.
pub(crate) fn created(
    req: &CreateEnrollment,
    record: CustomerEnrollmentCreateResponse,
) -> Result<EnrollmentCreated> {
    req.client.inner.interfaces.invalidate(record.service_id);
    Ok(EnrollmentCreated {
        client: req.client.clone(),
        record,
    })
}

/// A cancelled enrollment takes its interfaces with it.
pub(crate) fn cancelled(
    req: &CancelEnrollment,
    answer: CustomerEnrollmentCancelResponse,
) -> Result<CustomerEnrollmentCancelResponse> {
    req.client
        .inner
        .interfaces
        .invalidate_enrollment(answer.enrollment_id);
    Ok(answer)
}

impl ListEnrollments {
    /// Whether each enrollment embeds its service's details (default `true`); the
    /// `include_service_details` parameter.
    pub fn with_service(self, with_service: bool) -> Self {
        self.include_service_details(with_service)
    }
}
