//! Enrollments: a customer's subscription to a service, activated asynchronously.

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::http::call;
use crate::ids::Id;
use crate::open_enums::ServiceEnrollmentStatusEnum as Status;
use crate::pagination::{offset_stream, ItemStream, Page};
use crate::types::{CustomerEnrollment, CustomerEnrollmentCancelResponse};
use std::time::{Duration, Instant};

/// Operations on enrollments (`/enrollments`).
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
        self.client.enrollments().cancel(self.record.id).await
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
                Status::Active => return Ok(current),
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

impl Enrollments {
    fn wrap(&self, record: CustomerEnrollment) -> Enrollment {
        Enrollment {
            client: self.client.clone(),
            record,
        }
    }

    /// Lists one page of enrollments; `with_service` includes each service's details.
    pub async fn list(
        &self,
        skip: u64,
        limit: u64,
        with_service: bool,
    ) -> Result<Page<Enrollment>> {
        self.client.require_key("listing enrollments")?;
        let page = call(
            self.client
                .low_level()
                .customer_list_enrollments()
                .skip(crate::args::signed("skip", skip)?)
                .limit(crate::args::signed("limit", limit)?)
                .include_service_details(with_service)
                .send(),
        )
        .await?;
        Ok(Page::from_count(
            page.data.into_iter().map(|e| self.wrap(e)).collect(),
            page.count,
            skip,
            limit,
        ))
    }

    /// Every enrollment, fetched page by page.
    pub fn list_all(&self) -> ItemStream<Enrollment> {
        let this = self.clone();
        offset_stream(0, 100, move |skip, limit| {
            let this = this.clone();
            async move { this.list(skip, limit, true).await }
        })
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

    /// Enrolls in a service; it starts `pending` and activates in the background.
    ///
    /// `parameters` carries user settings (bring-your-own keys or endpoints, model choice).
    pub async fn create(
        &self,
        service_id: impl Id,
        parameters: Option<serde_json::Map<String, serde_json::Value>>,
    ) -> Result<Enrollment> {
        let service_id = service_id.to_uuid()?;
        self.client.require_key("enrolling")?;
        let body = crate::types::builder::ServiceEnrollmentCreate::default()
            .service_id(service_id)
            .parameters(parameters);
        let created = call(self.client.low_level().customer_enroll().body(body).send()).await?;
        // The create answer lacks fields (created_at, parameters); read the full record.
        self.get(created.id).await
    }

    /// Cancels an enrollment; its parameters are kept for re-enrolling.
    pub async fn cancel(&self, enrollment_id: impl Id) -> Result<CustomerEnrollmentCancelResponse> {
        let id = enrollment_id.to_uuid()?;
        self.client.require_key("cancelling an enrollment")?;
        call(
            self.client
                .low_level()
                .customer_cancel_enrollment()
                .enrollment_id(id)
                .send(),
        )
        .await
    }
}
