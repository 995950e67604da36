//! Blocking resource managers and requests: each forwards to its async twin on the
//! client's runtime.

use super::records::{Enrollment, EnrollmentCreated, Group, Service};
use super::{Call, Client, DispatchRequest, IntoBlocking, Iter, Rt};
use crate::broadcasts::BroadcastTarget;
use crate::chains::ChainStep;
use crate::error::Result;
use crate::ids::Id;
use crate::pagination::{CursorPage, Page};
use crate::request_logs::RequestLogDetail;
use crate::types::*;
use std::fmt::Display;

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
    AccessInterface,
    AccessPlan,
    AccountFileDownloadResponse,
    AccountFileObject,
    AccountFileUploadResponse,
    AccountFilesListResponse,
    BroadcastPublic,
    BroadcastTargetPublic,
    ChainPublic,
    ChainStepPublic,
    CustomerEnrollmentCancelResponse,
    CustomerGroupMembershipResponse,
    LoggingStatusResponse,
    RecurrentRequestPublic,
    RequestLogDetail,
    RequestLogListItem,
    ResolveResponse,
    SecretPublic,
    ServiceAliasPublic,
    ServiceCollectionMemberPublic,
    ServiceCollectionPublic,
    ServiceDocumentsResponse,
    SwitchRoutingResponse,
);

/// Declares a blocking manager that wraps `crate::<module>::<Name>`, with forwarding
/// methods: `fn` blocks on an async method, `call` hands out a [`Call`] for a builder.
macro_rules! manager {
    (
        $(#[$doc:meta])* $name:ident = $module:ident :: $async_ty:ident via $accessor:ident;
        $( fn $f:ident $([$g:ident : $target:ty])? ($($a:ident : $t:ty),*) -> $r:ty; )*
        $( call $c:ident ($($ca:ident : $ct:ty),*) -> $cr:ident; )*
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
                    self.rt.run(self.inner.$f($($a),*))
                }
            )*
            $(
                #[doc = concat!("Blocking [`crate::", stringify!($module), "::", stringify!($async_ty), "::", stringify!($c), "`]: set options, then `send()`.")]
                pub fn $c(&self, $($ca: $ct),*) -> Call<crate::$module::$cr> {
                    Call::new(&self.rt, self.inner.$c($($ca),*))
                }
            )*
        }
    };
}

/// Gives a [`Call`] of an async builder the builder's setters, a blocking `send()`, and for
/// lists `stream()` and `for` iteration.
macro_rules! requests {
    ($(
        $module:ident :: $builder:ident { $($set:ident($($a:ident : $t:ty),*);)* }
            -> $out:ty $(, stream $item:ty)?;
    )*) => {
        $(
            impl Call<crate::$module::$builder> {
                $(
                    #[doc = concat!("See [`crate::", stringify!($module), "::", stringify!($builder), "::", stringify!($set), "`].")]
                    pub fn $set(self, $($a: $t),*) -> Self {
                        self.map(|b| b.$set($($a),*))
                    }
                )*

                #[doc = concat!("Sends it and waits; see [`crate::", stringify!($module), "::", stringify!($builder), "::send`].")]
                pub fn send(self) -> Result<$out> {
                    self.rt.run(self.builder.send())
                }

                $(
                    #[doc = concat!("Every item, fetched page by page as the iterator advances; see [`crate::", stringify!($module), "::", stringify!($builder), "::stream`].")]
                    pub fn stream(self) -> Iter<$item> {
                        self.rt.iter_blocking(self.builder.stream())
                    }
                )?
            }

            $(
                impl IntoIterator for Call<crate::$module::$builder> {
                    type Item = Result<$item>;
                    type IntoIter = Iter<$item>;
                    fn into_iter(self) -> Iter<$item> {
                        self.stream()
                    }
                }
            )?
        )*
    };
}

requests! {
    enrollments::ListEnrollments {
        skip(skip: u64); limit(limit: u64); with_service(with_service: bool); shared(shared: bool);
    } -> Page<Enrollment>, stream Enrollment;
    enrollments::CreateEnrollment {
        parameters(parameters: impl serde::Serialize); shared(shared: bool);
    } -> EnrollmentCreated;
    groups::ListGroups { owner(owner: crate::groups::Owner); name(contains: impl Into<String>); }
        -> Vec<Group>;
    groups::ListGroupServices {
        cursor(cursor: impl Into<String>); limit(limit: u64); search(text: impl Into<String>);
    } -> CursorPage<Service>, stream Service;
    groups::CreateCollection {
        display_name(display_name: impl Into<String>);
        description(description: impl Into<String>);
    } -> Group;
    groups::UpdateCollection {
        display_name(display_name: impl Into<String>);
        description(description: impl Into<String>);
        enabled(enabled: bool);
    } -> ServiceCollectionPublic;
    groups::ListMembers {} -> Vec<ServiceCollectionMemberPublic>;
    groups::AddMember { routing_key(key: impl serde::Serialize); sort_order(sort_order: i64); }
        -> ServiceCollectionMemberPublic;
    services::ListInterfaces {} -> Vec<AccessInterface>;
    services::ScheduleRequest {
        interface(name: impl Into<String>); enrollment(enrollment: impl Id);
        path(path: impl Into<String>); method(method: impl Into<String>);
        json(body: impl serde::Serialize); header(name: impl Into<String>, value: impl Into<String>);
        name(name: impl Into<String>);
    } -> RecurrentRequestPublic;
    secrets::ListSecrets { skip(skip: u64); limit(limit: u64); }
        -> Page<SecretPublic>, stream SecretPublic;
    secrets::SetSecret {
        description(description: impl Into<String>); sensitive(sensitive: bool);
        shared(shared: bool);
    } -> SecretPublic;
    aliases::ListAliases {
        skip(skip: u64); limit(limit: u64); name(name: impl Into<String>);
        include_deactivated(include: bool); shared(shared: bool);
    } -> Page<ServiceAliasPublic>, stream ServiceAliasPublic;
    aliases::CreateAlias {
        description(description: impl Into<String>);
        routing_key(key: impl serde::Serialize);
        routing_key_override(key: impl serde::Serialize);
        is_routing(is_routing: bool); shared(shared: bool);
    } -> ServiceAliasPublic;
    aliases::UpdateAlias {
        description(description: impl Into<String>);
        target_path(target_path: impl Into<String>);
        routing_key(key: impl serde::Serialize);
        routing_key_override(key: impl serde::Serialize);
    } -> ServiceAliasPublic;
    aliases::SwitchRouting { target(target: impl Into<String>); routing_key(key: impl Into<String>); }
        -> SwitchRoutingResponse;
    recurrent_requests::ListRecurrentRequests {
        service_id(id: impl Id); enrollment_id(id: impl Id);
        status(status: impl Into<crate::open_enums::RecurrentRequestStatusEnum>);
        skip(skip: u64); limit(limit: u64);
    } -> Page<RecurrentRequestPublic>, stream RecurrentRequestPublic;
    recurrent_requests::CreateRecurrentRequest {
        service_id(id: impl Id); enrollment_id(id: impl Id); method(method: impl Into<String>);
        body_template(body: impl serde::Serialize);
        header(name: impl Into<String>, value: impl Into<String>); name(name: impl Into<String>);
    } -> RecurrentRequestPublic;
    recurrent_requests::UpdateRecurrentRequest {
        request_path(path: impl Into<String>); body_template(body: impl serde::Serialize);
        header(name: impl Into<String>, value: impl Into<String>);
        schedule(schedule: impl serde::Serialize); name(name: impl Into<String>);
        status(status: impl Into<crate::open_enums::RecurrentRequestStatusEnum>);
    } -> RecurrentRequestPublic;
    request_logs::ListRequestLogs {
        skip(skip: u64); limit(limit: u64); service_id(id: impl Id);
        service_enrollment_id(id: impl Id); recurrent_request_id(id: impl Id);
        status_min(status: u16); status_max(status: u16);
        start_time(at: chrono::DateTime<chrono::Utc>); end_time(at: chrono::DateTime<chrono::Utc>);
        user_request_path(prefix: impl Into<String>); error_source(source: impl Into<String>);
        error_type(kind: impl Into<String>); gateway_source(source: impl Into<String>);
    } -> Page<RequestLogListItem>, stream RequestLogListItem;
    chains::ListChains { skip(skip: u64); limit(limit: u64); shared(shared: bool); }
        -> Page<ChainPublic>, stream ChainPublic;
    chains::CreateChain {
        description(description: impl Into<String>);
        default_timeout(timeout: std::time::Duration); enabled(enabled: bool);
        step(step: ChainStep); steps(steps: impl IntoIterator<Item = ChainStep>);
        shared(shared: bool);
    } -> ChainPublic;
    chains::UpdateChain {
        description(description: impl Into<String>);
        default_timeout(timeout: std::time::Duration); enabled(enabled: bool);
    } -> ChainPublic;
    chains::UpdateChainStep {
        name(name: impl Into<String>); target_path(target_path: impl Into<String>);
        on_success(action: impl Into<String>); on_failure(action: impl Into<String>);
        timeout(timeout: std::time::Duration); sort_order(sort_order: i64);
    } -> ChainStepPublic;
    broadcasts::ListBroadcasts { skip(skip: u64); limit(limit: u64); shared(shared: bool); }
        -> Page<BroadcastPublic>, stream BroadcastPublic;
    broadcasts::CreateBroadcast {
        mode(mode: impl Into<crate::open_enums::Mode>);
        target_timeout(timeout: std::time::Duration); enabled(enabled: bool);
        description(description: impl Into<String>); target(target: BroadcastTarget);
        targets(targets: impl IntoIterator<Item = BroadcastTarget>); shared(shared: bool);
    } -> BroadcastPublic;
    broadcasts::UpdateBroadcast {
        mode(mode: impl Into<crate::open_enums::Mode>);
        target_timeout(timeout: std::time::Duration); enabled(enabled: bool);
        description(description: impl Into<String>);
    } -> BroadcastPublic;
    files::ListFiles {
        scope(scope: crate::open_enums::Scope); path(prefix: impl Into<String>);
        max_keys(max_keys: u64); continuation_token(token: impl Into<String>);
    } -> AccountFilesListResponse, stream AccountFileObject;
    files::DownloadUrl {
        scope(scope: crate::open_enums::Scope); expires_in(lifetime: std::time::Duration);
    } -> AccountFileDownloadResponse;
    resolve::ResolveRequest {
        routing_key(key: impl serde::Serialize);
        gateway(gateway: crate::open_enums::GatewayKind); strategy(strategy: impl Into<String>);
    } -> ResolveResponse;
}

manager! {
    /// Blocking secrets; see [`crate::secrets::Secrets`].
    Secrets = secrets::Secrets via secrets;
    fn get(name: &str) -> SecretPublic;
    fn delete(name: &str) -> String;
    call list() -> ListSecrets;
    call set(name: &str, value: impl Into<String>) -> SetSecret;
}

manager! {
    /// Blocking aliases; see [`crate::aliases::Aliases`].
    Aliases = aliases::Aliases via aliases;
    fn get(alias_id: impl Id) -> ServiceAliasPublic;
    fn delete(alias_id: impl Id) -> serde_json::Value;
    call list() -> ListAliases;
    call create(name: impl Into<String>, target_path: impl Into<String>) -> CreateAlias;
    call update(alias_id: impl Id) -> UpdateAlias;
    call switch_routing(identifier: impl Display, on: bool) -> SwitchRouting;
}

manager! {
    /// Blocking recurrent requests; see [`crate::recurrent_requests::RecurrentRequests`].
    RecurrentRequests = recurrent_requests::RecurrentRequests via recurrent_requests;
    fn get(request_id: impl Id) -> RecurrentRequestPublic;
    fn set_schedule(request_id: impl Id, schedule: impl serde::Serialize) -> RecurrentRequestPublic;
    fn trigger(request_id: impl Id) -> serde_json::Value;
    fn delete(request_id: impl Id) -> ();
    call list() -> ListRecurrentRequests;
    call create(request_path: impl Into<String>) -> CreateRecurrentRequest;
    call update(request_id: impl Id) -> UpdateRecurrentRequest;
}

manager! {
    /// Blocking request logs; see [`crate::request_logs::RequestLogs`].
    RequestLogs = request_logs::RequestLogs via request_logs;
    fn start(mode: crate::LoggingMode) -> LoggingStatusResponse;
    fn stop() -> LoggingStatusResponse;
    fn get(log_id: impl Id) -> RequestLogDetail;
    call list() -> ListRequestLogs;
}

manager! {
    /// Blocking chains; see [`crate::chains::Chains`].
    Chains = chains::Chains via chains;
    fn get(chain_id: impl Id) -> ChainPublic;
    fn delete(chain_id: impl Id) -> serde_json::Value;
    fn replace_steps(chain_id: impl Id, steps: impl IntoIterator<Item = ChainStep>) -> ChainPublic;
    fn add_step(chain_id: impl Id, step: ChainStep) -> ChainStepPublic;
    fn remove_step(chain_id: impl Id, step_id: impl Id) -> serde_json::Value;
    call list() -> ListChains;
    call create(name: impl Into<String>) -> CreateChain;
    call update(chain_id: impl Id) -> UpdateChain;
    call update_step(chain_id: impl Id, step_id: impl Id) -> UpdateChainStep;
}

manager! {
    /// Blocking broadcasts; see [`crate::broadcasts::Broadcasts`].
    Broadcasts = broadcasts::Broadcasts via broadcasts;
    fn get(broadcast_id: impl Id) -> BroadcastPublic;
    fn delete(broadcast_id: impl Id) -> serde_json::Value;
    fn replace_targets(broadcast_id: impl Id, targets: impl IntoIterator<Item = BroadcastTarget>) -> BroadcastPublic;
    fn add_target(broadcast_id: impl Id, target: BroadcastTarget) -> BroadcastTargetPublic;
    fn remove_target(broadcast_id: impl Id, target_id: impl Id) -> serde_json::Value;
    call list() -> ListBroadcasts;
    call create(name: impl Into<String>) -> CreateBroadcast;
    call update(broadcast_id: impl Id) -> UpdateBroadcast;
}

manager! {
    /// Blocking account files; see [`crate::files::Files`].
    Files = files::Files via files;
    fn upload[B: AccountFileUploadRequest](request: B) -> AccountFileUploadResponse;
    fn upload_bytes(key: &str, bytes: impl Into<bytes::Bytes>, content_type: &str) -> String;
    fn download_bytes(key: &str) -> bytes::Bytes;
    call list() -> ListFiles;
    call download_url(key: impl Into<String>) -> DownloadUrl;
}

manager! {
    /// Blocking groups; see [`crate::groups::Groups`].
    Groups = groups::Groups via groups;
    fn get(name: &str) -> Group;
    fn delete(group_id: impl Id) -> ();
    fn remove_member(group_id: impl Id, service_id: impl Id) -> ();
    call list() -> ListGroups;
    call services(name: &str) -> ListGroupServices;
    call create(name: &str) -> CreateCollection;
    call update(group_id: impl Id) -> UpdateCollection;
    call members(group_id: impl Id) -> ListMembers;
    call add_member(group_id: impl Id, service_id: impl Id) -> AddMember;
}

impl Groups {
    /// Starts a request through a group's interface.
    pub fn dispatch(&self, name: &str) -> DispatchRequest {
        DispatchRequest::new(&self.rt, self.inner.dispatch(name))
    }
}

manager! {
    /// Blocking services; see [`crate::services::Services`].
    Services = services::Services via services;
    fn get(service_id: impl Id) -> Service;
    fn documents(service_id: impl Id) -> ServiceDocumentsResponse;
    fn document(service_id: impl Id, document_id: impl Id) -> ServiceDocumentsResponse;
    fn usage(service_id: impl Id) -> AccessPlan;
    fn groups(service_id: impl Id) -> CustomerGroupMembershipResponse;
    fn set_groups(service_id: impl Id, group_ids: &[uuid::Uuid]) -> CustomerGroupMembershipResponse;
    call interfaces(service_id: impl Id) -> ListInterfaces;
    call schedule(service_id: impl Id, recurrence: impl serde::Serialize) -> ScheduleRequest;
}

impl Services {
    /// Starts a request through the service's picked interface.
    pub fn dispatch(&self, service_id: impl Id) -> DispatchRequest {
        DispatchRequest::new(&self.rt, self.inner.dispatch(service_id))
    }
}

manager! {
    /// Blocking enrollments; see [`crate::enrollments::Enrollments`].
    Enrollments = enrollments::Enrollments via enrollments;
    fn get(enrollment_id: impl Id) -> Enrollment;
    fn cancel(enrollment_id: impl Id) -> CustomerEnrollmentCancelResponse;
    call list() -> ListEnrollments;
    call create(service_id: impl Id) -> CreateEnrollment;
}
