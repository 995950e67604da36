//! Blocking resource managers: each forwards to its async twin on the client's runtime.

use super::records::{wrap_all, Enrollment, Group, Service};
use super::{Call, Client, DispatchRequest, Iter, Pageable, Rt, Sendable};
use crate::error::Result;
use crate::ids::Id;
use crate::pagination::{CursorPage, ItemStream, Page};
use crate::types::*;
use std::fmt::Display;
use std::future::Future;

/// Declares a blocking manager that wraps `crate::<module>::<Name>`, with forwarding
/// methods: `fn` blocks on an async method, `call` hands out a [`Call`] for a builder,
/// `iter` turns a stream into an iterator.
macro_rules! manager {
    (
        $(#[$doc:meta])* $name:ident = $module:ident :: $async_ty:ident via $accessor:ident;
        $( fn $f:ident $([$g:ident : $target:ty])? ($($a:ident : $t:ty),*) -> $r:ty; )*
        $( call $c:ident ($($ca:ident : $ct:ty),*) -> $cr:ty; )*
        $( iter $i:ident () -> $ir:ty; )*
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name {
            inner: crate::$module::$async_ty,
            rt: Rt,
        }

        impl Client {
            #[doc = concat!("The blocking twin of [`crate::Client::", stringify!($accessor), "`].")]
            pub fn $accessor(&self) -> $name {
                $name { inner: self.inner.$accessor(), rt: self.rt.clone() }
            }
        }

        impl $name {
            $(
                #[doc = concat!("Blocking [`crate::", stringify!($module), "::", stringify!($async_ty), "::", stringify!($f), "`].")]
                pub fn $f $(<$g>)? (&self, $($a: $t),*) -> Result<$r>
                $(where $g: TryInto<$target>, <$g as TryInto<$target>>::Error: Display)?
                {
                    self.rt.block_on(self.inner.$f($($a),*))
                }
            )*
            $(
                #[doc = concat!("Blocking [`crate::", stringify!($module), "::", stringify!($async_ty), "::", stringify!($c), "`]; configure with `map`, then `send`.")]
                pub fn $c(&self, $($ca: $ct),*) -> Call<$cr> {
                    Call::new(&self.rt, self.inner.$c($($ca),*))
                }
            )*
            $(
                #[doc = concat!("Blocking [`crate::", stringify!($module), "::", stringify!($async_ty), "::", stringify!($i), "`], as an iterator.")]
                pub fn $i(&self) -> Iter<$ir> {
                    self.rt.iter(self.inner.$i())
                }
            )*
        }
    };
}

/// Lets a [`Call`] send or page through a builder by forwarding to its async methods.
macro_rules! sendable {
    ($($builder:ty => $out:ty $(, pages $item:ty)?;)*) => {
        $(
            impl Sendable for $builder {
                type Output = $out;
                fn send(self) -> impl Future<Output = Result<$out>> {
                    <$builder>::send(self)
                }
            }
            $(
                impl Pageable for $builder {
                    type Item = $item;
                    fn into_stream(self) -> ItemStream<$item> {
                        <$builder>::into_stream(self)
                    }
                }
            )?
        )*
    };
}

sendable! {
    crate::aliases::ListAliases => Page<ServiceAliasPublic>, pages ServiceAliasPublic;
    crate::aliases::SwitchRouting => SwitchRoutingResponse;
    crate::chains::ListChains => Page<ChainPublic>, pages ChainPublic;
    crate::broadcasts::ListBroadcasts => Page<BroadcastPublic>, pages BroadcastPublic;
    crate::files::ListFiles => AccountFilesListResponse, pages AccountFileObject;
    crate::files::DownloadUrl => AccountFileDownloadResponse;
    crate::recurrent_requests::ListRecurrentRequests => Page<RecurrentRequestPublic>, pages RecurrentRequestPublic;
    crate::request_logs::ListRequestLogs => Page<RequestLogListItem>, pages RequestLogListItem;
    crate::resolve::ResolveRequest => ResolveResponse;
    crate::services::ScheduleRequest => RecurrentRequestPublic;
}

manager! {
    /// Blocking secrets; see [`crate::secrets::Secrets`].
    Secrets = secrets::Secrets via secrets;
    fn list(skip: u64, limit: u64) -> Page<SecretPublic>;
    fn get(name: &str) -> SecretPublic;
    fn set(name: &str, value: &str) -> SecretPublic;
    fn delete(name: &str) -> String;
    iter list_all() -> SecretPublic;
}

manager! {
    /// Blocking aliases; see [`crate::aliases::Aliases`].
    Aliases = aliases::Aliases via aliases;
    fn get(alias_id: impl Id) -> ServiceAliasPublic;
    fn create[B: ServiceAliasCreate](body: B) -> ServiceAliasPublic;
    fn create_shared[B: ServiceAliasCreate](body: B) -> ServiceAliasPublic;
    fn update[B: ServiceAliasUpdate](alias_id: impl Id, body: B) -> ServiceAliasPublic;
    fn delete(alias_id: impl Id) -> serde_json::Value;
    call list() -> crate::aliases::ListAliases;
    call switch_routing(identifier: impl Display, on: bool) -> crate::aliases::SwitchRouting;
    iter list_all() -> ServiceAliasPublic;
}

manager! {
    /// Blocking recurrent requests; see [`crate::recurrent_requests::RecurrentRequests`].
    RecurrentRequests = recurrent_requests::RecurrentRequests via recurrent_requests;
    fn get(request_id: impl Id) -> RecurrentRequestPublic;
    fn create[B: RecurrentRequestCreate](body: B) -> RecurrentRequestPublic;
    fn update[B: RecurrentRequestUpdate](request_id: impl Id, body: B) -> RecurrentRequestPublic;
    fn set_schedule(request_id: impl Id, schedule: &crate::Schedule) -> RecurrentRequestPublic;
    fn trigger(request_id: impl Id) -> serde_json::Value;
    fn delete(request_id: impl Id) -> ();
    call list() -> crate::recurrent_requests::ListRecurrentRequests;
    iter list_all() -> RecurrentRequestPublic;
}

manager! {
    /// Blocking request logs; see [`crate::request_logs::RequestLogs`].
    RequestLogs = request_logs::RequestLogs via request_logs;
    fn start(mode: crate::LoggingMode) -> LoggingStatusResponse;
    fn stop() -> LoggingStatusResponse;
    fn get(log_id: impl Id) -> RequestLogDetail;
    call list() -> crate::request_logs::ListRequestLogs;
}

manager! {
    /// Blocking chains; see [`crate::chains::Chains`].
    Chains = chains::Chains via chains;
    fn get(chain_id: impl Id) -> ChainPublic;
    fn create[B: ChainCreate](body: B) -> ChainPublic;
    fn create_shared[B: ChainCreate](body: B) -> ChainPublic;
    fn update[B: ChainUpdate](chain_id: impl Id, body: B) -> ChainPublic;
    fn delete(chain_id: impl Id) -> serde_json::Value;
    fn replace_steps[B: ChainStepCreate](chain_id: impl Id, steps: impl IntoIterator<Item = B>) -> ChainPublic;
    fn add_step[B: ChainStepCreate](chain_id: impl Id, step: B) -> ChainStepPublic;
    fn update_step[B: ChainStepUpdate](chain_id: impl Id, step_id: impl Id, body: B) -> ChainStepPublic;
    fn remove_step(chain_id: impl Id, step_id: impl Id) -> serde_json::Value;
    call list() -> crate::chains::ListChains;
    iter list_all() -> ChainPublic;
}

manager! {
    /// Blocking broadcasts; see [`crate::broadcasts::Broadcasts`].
    Broadcasts = broadcasts::Broadcasts via broadcasts;
    fn get(broadcast_id: impl Id) -> BroadcastPublic;
    fn create[B: BroadcastCreate](body: B) -> BroadcastPublic;
    fn create_shared[B: BroadcastCreate](body: B) -> BroadcastPublic;
    fn update[B: BroadcastUpdate](broadcast_id: impl Id, body: B) -> BroadcastPublic;
    fn delete(broadcast_id: impl Id) -> serde_json::Value;
    fn replace_targets[B: BroadcastTargetCreate](broadcast_id: impl Id, targets: impl IntoIterator<Item = B>) -> BroadcastPublic;
    fn add_target[B: BroadcastTargetCreate](broadcast_id: impl Id, target: B) -> BroadcastTargetPublic;
    fn remove_target(broadcast_id: impl Id, target_id: impl Id) -> serde_json::Value;
    call list() -> crate::broadcasts::ListBroadcasts;
    iter list_all() -> BroadcastPublic;
}

manager! {
    /// Blocking account files; see [`crate::files::Files`].
    Files = files::Files via files;
    fn upload[B: AccountFileUploadRequest](request: B) -> AccountFileUploadResponse;
    fn upload_bytes(key: &str, bytes: impl Into<bytes::Bytes>, content_type: &str) -> String;
    fn download_bytes(key: &str) -> bytes::Bytes;
    call list() -> crate::files::ListFiles;
    call download_url(key: impl Into<String>) -> crate::files::DownloadUrl;
}

manager! {
    /// Blocking groups; see [`crate::groups::Groups`].
    Groups = groups::Groups via groups;
    fn update(group_id: impl Id, update: &crate::groups::CollectionUpdate) -> ServiceCollectionPublic;
    fn delete(group_id: impl Id) -> ();
    fn members(group_id: impl Id) -> Vec<ServiceCollectionMemberPublic>;
    fn add_member(group_id: impl Id, service_id: impl Id, routing_key: Option<serde_json::Map<String, serde_json::Value>>, sort_order: i64) -> ServiceCollectionMemberPublic;
    fn remove_member(group_id: impl Id, service_id: impl Id) -> ();
}

impl Groups {
    /// Lists the visible groups.
    pub fn list(&self) -> Result<Vec<Group>> {
        Ok(wrap_all(
            &self.rt,
            self.rt.block_on(self.inner.list())?,
            Group::new,
        ))
    }

    /// Lists groups by owner, filtered by name client-side.
    pub fn list_owned(
        &self,
        owner: crate::groups::Owner,
        name: Option<&str>,
    ) -> Result<Vec<Group>> {
        let groups = self.rt.block_on(self.inner.list_owned(owner, name))?;
        Ok(wrap_all(&self.rt, groups, Group::new))
    }

    /// Gets a group by name.
    pub fn get(&self, name: &str) -> Result<Group> {
        Ok(Group::new(
            &self.rt,
            self.rt.block_on(self.inner.get(name))?,
        ))
    }

    /// Creates a customer-owned collection.
    pub fn create(
        &self,
        name: &str,
        display_name: Option<&str>,
        description: Option<&str>,
    ) -> Result<Group> {
        let group = self
            .rt
            .block_on(self.inner.create(name, display_name, description))?;
        Ok(Group::new(&self.rt, group))
    }

    /// One page of a group's services.
    pub fn services(
        &self,
        name: &str,
        cursor: Option<&str>,
        limit: u32,
        search: Option<&str>,
    ) -> Result<CursorPage<Service>> {
        let page = self
            .rt
            .block_on(self.inner.services(name, cursor, limit, search))?;
        Ok(page.map(|item| Service::new(&self.rt, item)))
    }

    /// Every service of a group, fetched page by page.
    pub fn services_iter(
        &self,
        name: &str,
        search: Option<&str>,
    ) -> impl Iterator<Item = Result<Service>> {
        self.rt
            .iter_records(self.inner.services_stream(name, search), Service::new)
    }

    /// Starts a request through a group's interface.
    pub fn dispatch(&self, name: &str) -> DispatchRequest {
        DispatchRequest::new(&self.rt, self.inner.dispatch(name))
    }
}

manager! {
    /// Blocking services; see [`crate::services::Services`].
    Services = services::Services via services;
    fn interfaces(service_id: impl Id) -> Vec<AccessInterface>;
    fn documents(service_id: impl Id) -> ServiceDocumentsResponse;
    fn document(service_id: impl Id, document_id: impl Id) -> ServiceDocumentsResponse;
    fn usage(service_id: impl Id) -> AccessPlan;
    fn groups(service_id: impl Id) -> CustomerGroupMembershipResponse;
    fn set_groups(service_id: impl Id, group_ids: &[uuid::Uuid]) -> CustomerGroupMembershipResponse;
    call schedule(service_id: impl Id, schedule: crate::Schedule) -> crate::services::ScheduleRequest;
}

impl Services {
    /// Gets a service by id.
    pub fn get(&self, service_id: impl Id) -> Result<Service> {
        Ok(Service::new(
            &self.rt,
            self.rt.block_on(self.inner.get(service_id))?,
        ))
    }

    /// Starts a request through the service's picked interface.
    pub fn dispatch(&self, service_id: impl Id) -> DispatchRequest {
        DispatchRequest::new(&self.rt, self.inner.dispatch(service_id))
    }
}

manager! {
    /// Blocking enrollments; see [`crate::enrollments::Enrollments`].
    Enrollments = enrollments::Enrollments via enrollments;
    fn cancel(enrollment_id: impl Id) -> CustomerEnrollmentCancelResponse;
}

impl Enrollments {
    /// Lists one page of enrollments.
    pub fn list(&self, skip: u64, limit: u64, with_service: bool) -> Result<Page<Enrollment>> {
        let page = self
            .rt
            .block_on(self.inner.list(skip, limit, with_service))?;
        Ok(page.map(|item| Enrollment::new(&self.rt, item)))
    }

    /// Every enrollment, fetched page by page.
    pub fn list_all(&self) -> impl Iterator<Item = Result<Enrollment>> {
        self.rt.iter_records(self.inner.list_all(), Enrollment::new)
    }

    /// Gets one enrollment.
    pub fn get(&self, enrollment_id: impl Id) -> Result<Enrollment> {
        Ok(Enrollment::new(
            &self.rt,
            self.rt.block_on(self.inner.get(enrollment_id))?,
        ))
    }

    /// Enrolls in a service; it starts `pending`.
    pub fn create(
        &self,
        service_id: impl Id,
        parameters: Option<serde_json::Map<String, serde_json::Value>>,
    ) -> Result<Enrollment> {
        let e = self
            .rt
            .block_on(self.inner.create(service_id, parameters))?;
        Ok(Enrollment::new(&self.rt, e))
    }
}
