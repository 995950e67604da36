//! Blocking active records: each derefs to its async twin (and so to its fields) and
//! shadows the async methods with blocking ones.

use super::{Call, DispatchRequest, IntoBlocking, Rt};
use crate::error::Result;
use crate::types::CustomerEnrollmentCancelResponse;
use std::time::Duration;

macro_rules! record {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name {
            pub(super) inner: crate::$name,
            pub(super) rt: Rt,
        }

        impl $name {
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

        impl IntoBlocking for crate::$name {
            type Blocking = $name;
            fn into_blocking(self, rt: &Rt) -> $name {
                $name { inner: self, rt: rt.clone() }
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
record!(
    /// The acknowledgement of a new enrollment; see [`crate::EnrollmentCreated`].
    EnrollmentCreated
);

impl Group {
    /// Starts reloading the group.
    pub fn refresh(&self) -> Call<crate::groups::GetGroup> {
        Call::new(&self.rt, self.inner.refresh())
    }

    /// Starts listing the group's services, newest first.
    pub fn services(&self) -> Call<crate::groups::ListGroupServices> {
        Call::new(&self.rt, self.inner.services())
    }

    /// Starts a request through the group's interface.
    pub fn dispatch(&self) -> DispatchRequest {
        DispatchRequest::new(&self.rt, self.inner.dispatch())
    }

    /// Starts listing the collection's members.
    pub fn members(&self) -> Call<crate::groups::ListMembers> {
        Call::new(&self.rt, self.inner.members())
    }
}

impl Service {
    /// Starts reloading the full detail.
    pub fn refresh(&self) -> Call<crate::services::GetService> {
        Call::new(&self.rt, self.inner.refresh())
    }

    /// Starts listing the interfaces this customer can dispatch to.
    pub fn interfaces(&self) -> Call<crate::services::ListInterfaces> {
        Call::new(&self.rt, self.inner.interfaces())
    }

    /// Starts a request through one of the service's interfaces.
    pub fn dispatch(&self) -> DispatchRequest {
        DispatchRequest::new(&self.rt, self.inner.dispatch())
    }

    /// Starts enrolling in the service.
    pub fn enroll(&self) -> Call<crate::enrollments::CreateEnrollment> {
        Call::new(&self.rt, self.inner.enroll())
    }

    /// Starts scheduling a recurring request; see [`crate::services::Services::schedule`].
    pub fn schedule(
        &self,
        recurrence: impl serde::Serialize,
    ) -> Call<crate::services::ScheduleRequest> {
        Call::new(&self.rt, self.inner.schedule(recurrence))
    }

    /// Starts listing the service's documents.
    pub fn documents(&self) -> Call<crate::services::ListDocuments> {
        Call::new(&self.rt, self.inner.documents())
    }

    /// Starts reading how the service is accessed and priced.
    pub fn usage(&self) -> Call<crate::services::GetUsage> {
        Call::new(&self.rt, self.inner.usage())
    }
}

/// The blocking methods an enrollment and its acknowledgement share.
macro_rules! enrollment_methods {
    ($($name:ident),*) => {
        $(
            impl $name {
                #[doc = concat!("Starts reading the full enrollment; see [`crate::", stringify!($name), "::refresh`].")]
                pub fn refresh(&self) -> Call<crate::enrollments::GetEnrollment> {
                    Call::new(&self.rt, self.inner.refresh())
                }

                /// Cancels the enrollment; its parameters are kept for re-enrolling.
                pub fn cancel(&self) -> Result<CustomerEnrollmentCancelResponse> {
                    self.rt.block_on(self.inner.cancel())
                }

                #[doc = concat!("Polls until the enrollment is active; see [`crate::", stringify!($name), "::wait_active`].")]
                pub fn wait_active(&self, timeout: Duration) -> Result<Enrollment> {
                    self.rt.run(self.inner.wait_active(timeout))
                }
            }
        )*
    };
}

enrollment_methods!(Enrollment, EnrollmentCreated);
