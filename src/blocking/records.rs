//! Blocking active records: each derefs to its async twin (and so to its fields) and
//! shadows the async methods with blocking ones.

use super::{DispatchRequest, Rt};
use crate::error::Result;
use crate::pagination::CursorPage;
use crate::types::{
    AccessInterface, AccessPlan, CustomerEnrollmentCancelResponse, RecurrentRequestPublic,
    ServiceCollectionMemberPublic, ServiceDocumentsResponse,
};
use std::time::Duration;

macro_rules! record {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name {
            inner: crate::$name,
            rt: Rt,
        }

        impl $name {
            pub(crate) fn new(rt: &Rt, inner: crate::$name) -> $name {
                $name { inner, rt: rt.clone() }
            }

            /// The async record inside.
            pub fn into_async(self) -> crate::$name {
                self.inner
            }
        }

        impl std::ops::Deref for $name {
            type Target = crate::$name;
            fn deref(&self) -> &crate::$name {
                &self.inner
            }
        }
    };
}

record!(
    /// A group; see [`crate::Group`].
    Group
);
record!(
    /// A service; see [`crate::Service`].
    Service
);
record!(
    /// An enrollment; see [`crate::Enrollment`].
    Enrollment
);

pub(crate) fn wrap_all<A, B>(rt: &Rt, items: Vec<A>, f: fn(&Rt, A) -> B) -> Vec<B> {
    items.into_iter().map(|item| f(rt, item)).collect()
}

impl Group {
    /// Reloads the group.
    pub fn refresh(&self) -> Result<Group> {
        let fresh = self.rt.block_on(self.inner.refresh())?;
        Ok(Group::new(&self.rt, fresh))
    }

    /// One page of the group's services, newest first.
    pub fn services(&self, cursor: Option<&str>, limit: u32) -> Result<CursorPage<Service>> {
        let page = self.rt.block_on(self.inner.services(cursor, limit))?;
        Ok(page.map(|item| Service::new(&self.rt, item)))
    }

    /// Every service of the group, fetched page by page.
    pub fn all_services(&self) -> impl Iterator<Item = Result<Service>> {
        self.rt
            .iter_records(self.inner.all_services(), Service::new)
    }

    /// Starts a request through the group's interface.
    pub fn dispatch(&self) -> DispatchRequest {
        DispatchRequest::new(&self.rt, self.inner.dispatch())
    }

    /// The collection's members.
    pub fn members(&self) -> Result<Vec<ServiceCollectionMemberPublic>> {
        self.rt.block_on(self.inner.members())
    }
}

impl Service {
    /// Reloads the full detail.
    pub fn refresh(&self) -> Result<Service> {
        let fresh = self.rt.block_on(self.inner.refresh())?;
        Ok(Service::new(&self.rt, fresh))
    }

    /// The interfaces this customer can dispatch to.
    pub fn interfaces(&self) -> Result<Vec<AccessInterface>> {
        self.rt.block_on(self.inner.interfaces())
    }

    /// Starts a request through one of the service's interfaces.
    pub fn dispatch(&self) -> DispatchRequest {
        DispatchRequest::new(&self.rt, self.inner.dispatch())
    }

    /// Enrolls in the service.
    pub fn enroll(
        &self,
        parameters: Option<serde_json::Map<String, serde_json::Value>>,
    ) -> Result<Enrollment> {
        let e = self.rt.block_on(self.inner.enroll(parameters))?;
        Ok(Enrollment::new(&self.rt, e))
    }

    /// Schedules a recurring request; `configure` sets path, body and the rest.
    pub fn schedule(
        &self,
        schedule: crate::Schedule,
        configure: impl FnOnce(crate::services::ScheduleRequest) -> crate::services::ScheduleRequest,
    ) -> Result<RecurrentRequestPublic> {
        self.rt
            .block_on(configure(self.inner.schedule(schedule)).send())
    }

    /// The service's documents.
    pub fn documents(&self) -> Result<ServiceDocumentsResponse> {
        self.rt.block_on(self.inner.documents())
    }

    /// How the service is accessed and priced.
    pub fn usage(&self) -> Result<AccessPlan> {
        self.rt.block_on(self.inner.usage())
    }
}

impl Enrollment {
    /// Reloads the enrollment.
    pub fn refresh(&self) -> Result<Enrollment> {
        let fresh = self.rt.block_on(self.inner.refresh())?;
        Ok(Enrollment::new(&self.rt, fresh))
    }

    /// Cancels the enrollment.
    pub fn cancel(&self) -> Result<CustomerEnrollmentCancelResponse> {
        self.rt.block_on(self.inner.cancel())
    }

    /// Polls until the enrollment is active; see [`crate::Enrollment::wait_active`].
    pub fn wait_active(&self, timeout: Duration) -> Result<Enrollment> {
        let e = self.rt.block_on(self.inner.wait_active(timeout))?;
        Ok(Enrollment::new(&self.rt, e))
    }
}
