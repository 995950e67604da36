//! What the generated blocking layer cannot know: the answers that become blocking records,
//! and the blocking twins of hand-written calls (dispatch, schedules, file transfers).

use super::generated::{
    files::Files, groups::Groups, recurrent_requests::RecurrentRequests, services::Services,
};
use super::{Call, Client, DispatchRequest, IntoBlocking, Rt};
use crate::error::Result;
use crate::ids::Id;

/// Answers the blocking layer hands out as they are.
macro_rules! plain {
    ($($ty:ty),* $(,)?) => {
        $(
            impl IntoBlocking for $ty {
                type Blocking = $ty;
                fn into_blocking(self, _: &Rt) -> $ty {
                    self
                }
            }
        )*
    };
}

plain!(
    (),
    String,
    bytes::Bytes,
    serde_json::Value,
    crate::request_logs::RequestLogDetail,
    crate::files::FileListing,
);

impl Groups {
    /// Starts a request through a group's interface.
    pub fn dispatch(&self, name: &str) -> DispatchRequest {
        DispatchRequest::new(&self.rt, self.inner.dispatch(name))
    }
}

impl Services {
    /// Starts a request through the service's picked interface.
    pub fn dispatch(&self, service_id: impl Id) -> DispatchRequest {
        DispatchRequest::new(&self.rt, self.inner.dispatch(service_id))
    }

    /// Starts scheduling a recurring request; see [`crate::services::Services::schedule`].
    pub fn schedule(
        &self,
        service_id: impl Id,
        recurrence: impl serde::Serialize,
    ) -> Call<crate::services::ScheduleRequest> {
        Call::new(&self.rt, self.inner.schedule(service_id, recurrence))
    }
}

impl RecurrentRequests {
    /// Starts setting when the request fires; see
    /// [`crate::recurrent_requests::RecurrentRequests::set_schedule`].
    pub fn set_schedule(
        &self,
        request_id: impl Id,
        schedule: impl serde::Serialize,
    ) -> Call<crate::recurrent_requests::UpdateRecurrentRequest> {
        Call::new(&self.rt, self.inner.set_schedule(request_id, schedule))
    }
}

impl Files {
    /// Uploads `bytes` as the personal file `key`; see [`crate::files::Files::upload_bytes`].
    pub fn upload_bytes(
        &self,
        key: &str,
        bytes: impl Into<bytes::Bytes>,
        content_type: &str,
    ) -> Result<String> {
        self.rt
            .block_on(self.inner.upload_bytes(key, bytes, content_type))
    }

    /// Downloads the personal file `key`; see [`crate::files::Files::download_bytes`].
    pub fn download_bytes(&self, key: &str) -> Result<bytes::Bytes> {
        self.rt.block_on(self.inner.download_bytes(key))
    }
}

impl Call<crate::services::ScheduleRequest> {
    /// See [`crate::services::ScheduleRequest::interface`].
    pub fn interface(self, name: impl Into<String>) -> Self {
        self.map(|b| b.interface(name))
    }

    /// See [`crate::services::ScheduleRequest::enrollment`].
    pub fn enrollment(self, enrollment: impl Id) -> Self {
        self.map(|b| b.enrollment(enrollment))
    }

    /// See [`crate::services::ScheduleRequest::path`].
    pub fn path(self, path: impl Into<String>) -> Self {
        self.map(|b| b.path(path))
    }

    /// See [`crate::services::ScheduleRequest::method`].
    pub fn method(self, method: impl Into<String>) -> Self {
        self.map(|b| b.method(method))
    }

    /// See [`crate::services::ScheduleRequest::json`].
    pub fn json(self, body: impl serde::Serialize) -> Self {
        self.map(|b| b.json(body))
    }

    /// See [`crate::services::ScheduleRequest::header`].
    pub fn header(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.map(|b| b.header(name, value))
    }

    /// See [`crate::services::ScheduleRequest::name`].
    pub fn name(self, name: impl Into<String>) -> Self {
        self.map(|b| b.name(name))
    }

    /// Creates the recurrent request, then sets its schedule.
    pub fn send(self) -> Result<crate::types::RecurrentRequestPublic> {
        self.rt.run(self.builder.send())
    }
}

impl Client {
    /// Starts a request to a gateway-relative path.
    pub fn dispatch(&self, path: &str) -> DispatchRequest {
        DispatchRequest::new(&self.rt, self.inner.dispatch(path))
    }
}
