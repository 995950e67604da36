//! What the spec cannot say about an operation's high-level face: friendlier names, the
//! arguments taken positionally, values sent by default, input rules and the hand-written
//! functions that turn an answer into an SDK type.
//!
//! An operation missing from this table still gets a builder, named by the rule in
//! [`super`]; every entry here is a deviation from that rule, kept small on purpose.

/// The overrides for one operation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Op {
    /// The operationId this entry is for.
    pub id: &'static str,
    /// The method on the manager (else the operationId without its prefixes).
    pub name: Option<&'static str>,
    /// The builder type (else the method's words in PascalCase).
    pub builder: Option<&'static str>,
    /// Query parameters and body fields taken positionally after the path parameters;
    /// `body` stands for the whole body.
    pub positional: &'static [&'static str],
    /// Whether the call works without an API key.
    pub anonymous: bool,
    /// Parameters sent even when the caller sets nothing: `(name, Rust value)`.
    pub sends: &'static [(&'static str, &'static str)],
    /// Input rules, `fn(String) -> Result<String, String>`, run when a string argument is
    /// given; a rule may also normalize the value.
    pub rules: &'static [(&'static str, &'static str)],
    /// A check of the whole builder before sending, `fn(&Builder) -> Result<()>`.
    pub check: Option<&'static str>,
    /// A check of the finished body before sending, `fn(&Body) -> Result<()>`.
    pub check_body: Option<&'static str>,
    /// The answer's SDK type and the function making it, `fn(&Builder, Raw) -> Result<T>`.
    pub output: Option<(&'static str, &'static str)>,
    /// For offset pages: the item's SDK type and `fn(&Client, RawItem) -> T`.
    pub item: Option<(&'static str, &'static str)>,
    /// For cursor pages: the query parameter a page's `next_cursor` goes back into.
    pub cursor: Option<&'static str>,
    /// Generated setters left out because hand-written ones take their names.
    pub hide: &'static [&'static str],
    /// Hand-written setters on the builder, `(name, arguments)`, for the blocking twin.
    pub extra: &'static [(&'static str, &'static str)],
    /// The method goes on `Client` itself rather than on a manager.
    pub on_client: bool,
    /// The body holds a secret: `Debug` leaves it out.
    pub redact_body: bool,
}

const fn op(id: &'static str) -> Op {
    Op {
        id,
        name: None,
        builder: None,
        positional: &[],
        anonymous: false,
        sends: &[],
        rules: &[],
        check: None,
        check_body: None,
        output: None,
        item: None,
        cursor: None,
        hide: &[],
        extra: &[],
        on_client: false,
        redact_body: false,
    }
}

const fn named(id: &'static str, name: &'static str, builder: &'static str) -> Op {
    let mut o = op(id);
    o.name = Some(name);
    o.builder = Some(builder);
    o
}

const OFFSET: &[(&str, &str)] = &[("skip", "0"), ("limit", "100")];
const OFFSET_SHARED: &[(&str, &str)] = &[("skip", "0"), ("limit", "100"), ("shared", "false")];
const SHARED: &[(&str, &str)] = &[("shared", "false")];
const GATEWAY_PATH: &[(&str, &str)] = &[("target_path", "crate::args::relative_path_rule")];
const MS_TIMEOUT: &[(&str, &str)] = &[("default_timeout", "timeout: std::time::Duration")];

/// Every override, by operationId.
pub(crate) const TABLE: &[Op] = &[
    // aliases
    Op {
        positional: &["name", "target_path"],
        sends: SHARED,
        rules: GATEWAY_PATH,
        extra: &[("routing_key", "key: impl serde::Serialize")],
        ..named("customer-aliases-create_alias", "create", "CreateAlias")
    },
    Op {
        sends: &[
            ("skip", "0"),
            ("limit", "100"),
            ("include_deactivated", "false"),
            ("shared", "false"),
        ],
        ..named("customer-aliases-list_aliases", "list", "ListAliases")
    },
    named("customer-aliases-get_alias", "get", "GetAlias"),
    Op {
        rules: GATEWAY_PATH,
        extra: &[("routing_key", "key: impl serde::Serialize")],
        ..named("customer-aliases-update_alias", "update", "UpdateAlias")
    },
    named("customer-aliases-delete_alias", "delete", "DeleteAlias"),
    Op {
        rules: &[("identifier", "crate::aliases::identifier_rule")],
        ..named(
            "customer-aliases-switch_alias_routing",
            "switch_routing",
            "SwitchRouting",
        )
    },
    // broadcasts
    Op {
        positional: &["name"],
        sends: SHARED,
        extra: &[("target_timeout", "timeout: std::time::Duration")],
        ..named(
            "customer-broadcasts-create_broadcast",
            "create",
            "CreateBroadcast",
        )
    },
    Op {
        sends: OFFSET_SHARED,
        ..named(
            "customer-broadcasts-list_broadcasts",
            "list",
            "ListBroadcasts",
        )
    },
    named("customer-broadcasts-get_broadcast", "get", "GetBroadcast"),
    Op {
        extra: &[("target_timeout", "timeout: std::time::Duration")],
        ..named(
            "customer-broadcasts-update_broadcast",
            "update",
            "UpdateBroadcast",
        )
    },
    named(
        "customer-broadcasts-delete_broadcast",
        "delete",
        "DeleteBroadcast",
    ),
    Op {
        positional: &["body"],
        ..op("customer-broadcasts-replace_targets")
    },
    Op {
        positional: &["body"],
        rules: GATEWAY_PATH,
        ..op("customer-broadcasts-add_target")
    },
    op("customer-broadcasts-remove_target"),
    // chains
    Op {
        positional: &["name"],
        sends: SHARED,
        extra: MS_TIMEOUT,
        ..named("customer-chains-create_chain", "create", "CreateChain")
    },
    Op {
        sends: OFFSET_SHARED,
        ..named("customer-chains-list_chains", "list", "ListChains")
    },
    named("customer-chains-get_chain", "get", "GetChain"),
    Op {
        extra: MS_TIMEOUT,
        ..named("customer-chains-update_chain", "update", "UpdateChain")
    },
    named("customer-chains-delete_chain", "delete", "DeleteChain"),
    Op {
        positional: &["body"],
        ..op("customer-chains-replace_steps")
    },
    Op {
        positional: &["body"],
        rules: GATEWAY_PATH,
        ..op("customer-chains-add_step")
    },
    Op {
        rules: GATEWAY_PATH,
        extra: &[("timeout", "timeout: std::time::Duration")],
        ..named(
            "customer-chains-update_step",
            "update_step",
            "UpdateChainStep",
        )
    },
    op("customer-chains-remove_step"),
    // enrollments
    Op {
        positional: &["service_id"],
        output: Some((
            "crate::enrollments::EnrollmentCreated",
            "crate::enrollments::created",
        )),
        ..named("customer-enroll", "create", "CreateEnrollment")
    },
    Op {
        sends: &[
            ("include_service_details", "true"),
            ("limit", "100"),
            ("skip", "0"),
        ],
        item: Some((
            "crate::enrollments::Enrollment",
            "crate::enrollments::Enrollment::new",
        )),
        extra: &[("with_service", "with_service: bool")],
        ..named("customer-list_enrollments", "list", "ListEnrollments")
    },
    Op {
        output: Some(("crate::enrollments::Enrollment", "crate::enrollments::got")),
        ..named("customer-get_enrollment", "get", "GetEnrollment")
    },
    Op {
        output: Some((
            "crate::types::CustomerEnrollmentCancelResponse",
            "crate::enrollments::cancelled",
        )),
        ..named("customer-cancel_enrollment", "cancel", "CancelEnrollment")
    },
    // files
    Op {
        sends: &[
            ("scope", "crate::open_enums::Scope::Personal"),
            ("path", "String::new()"),
            ("max_keys", "100"),
        ],
        output: Some(("crate::files::FileListing", "crate::files::listing")),
        item: Some(("crate::types::AccountFileObject", "")),
        cursor: Some("continuation_token"),
        ..named("customer-list_account_files", "list", "ListFiles")
    },
    Op {
        positional: &["key"],
        sends: &[
            ("expires_in", "900"),
            ("scope", "crate::open_enums::Scope::Personal"),
        ],
        rules: &[("key", "crate::args::non_empty_rule")],
        hide: &["expires_in"],
        extra: &[("expires_in", "lifetime: std::time::Duration")],
        ..named(
            "customer-download_account_file",
            "download_url",
            "DownloadUrl",
        )
    },
    Op {
        positional: &["body"],
        check_body: Some("crate::files::check_upload"),
        ..named("customer-upload_account_file", "upload", "Upload")
    },
    // groups
    Op {
        anonymous: true,
        sends: &[("owner", "crate::groups::Owner::All.param()")],
        check: Some("crate::groups::check_list"),
        output: Some(("Vec<crate::groups::Group>", "crate::groups::listed")),
        hide: &["owner"],
        extra: &[("owner", "owner: crate::groups::Owner")],
        ..named("customer-groups-list_groups", "list", "ListGroups")
    },
    Op {
        positional: &["name"],
        rules: &[("name", "crate::groups::name_rule")],
        output: Some(("crate::groups::Group", "crate::groups::created")),
        ..named(
            "customer-groups-create_customer_group",
            "create",
            "CreateCollection",
        )
    },
    named(
        "customer-groups-update_customer_group",
        "update",
        "UpdateCollection",
    ),
    named(
        "customer-groups-delete_customer_group",
        "delete",
        "DeleteCollection",
    ),
    Op {
        anonymous: true,
        rules: &[("name", "crate::groups::name_rule")],
        output: Some(("crate::groups::Group", "crate::groups::got")),
        ..named("customer-groups-get_group", "get", "GetGroup")
    },
    Op {
        anonymous: true,
        sends: &[("limit", "50")],
        rules: &[("name", "crate::groups::name_rule")],
        output: Some((
            "crate::pagination::CursorPage<crate::services::Service>",
            "crate::groups::services_page",
        )),
        cursor: Some("cursor"),
        ..named(
            "customer-groups-list_group_services",
            "services",
            "ListGroupServices",
        )
    },
    named("customer-groups-list_members", "members", "ListMembers"),
    Op {
        positional: &["service_id"],
        ..named("customer-groups-add_member", "add_member", "AddMember")
    },
    named(
        "customer-groups-remove_member",
        "remove_member",
        "RemoveMember",
    ),
    // recurrent requests
    Op {
        positional: &["request_path"],
        rules: &[("request_path", "crate::args::non_empty_rule")],
        extra: &[
            ("method", "method: impl Into<String>"),
            (
                "header",
                "name: impl Into<String>, value: impl Into<String>",
            ),
        ],
        ..named(
            "customer-recurrent-requests-create_recurrent_request",
            "create",
            "CreateRecurrentRequest",
        )
    },
    Op {
        sends: &[("limit", "100"), ("skip", "0")],
        ..named(
            "customer-recurrent-requests-list_recurrent_requests",
            "list",
            "ListRecurrentRequests",
        )
    },
    named(
        "customer-recurrent-requests-get_recurrent_request",
        "get",
        "GetRecurrentRequest",
    ),
    Op {
        rules: &[("request_path", "crate::args::non_empty_rule")],
        hide: &["schedule"],
        extra: &[
            (
                "header",
                "name: impl Into<String>, value: impl Into<String>",
            ),
            ("schedule", "schedule: impl serde::Serialize"),
        ],
        ..named(
            "customer-recurrent-requests-update_recurrent_request",
            "update",
            "UpdateRecurrentRequest",
        )
    },
    named(
        "customer-recurrent-requests-remove_recurrent_request",
        "delete",
        "DeleteRecurrentRequest",
    ),
    named(
        "customer-recurrent-requests-trigger_recurrent_request",
        "trigger",
        "TriggerRecurrentRequest",
    ),
    // request logs
    Op {
        sends: &[("limit", "50"), ("skip", "0")],
        check: Some("crate::request_logs::check_list"),
        ..named("customer-list_request_logs", "list", "ListRequestLogs")
    },
    Op {
        extra: &[("mode", "mode: crate::request_logs::LoggingMode")],
        ..named("customer-start_request_logging", "start", "StartLogging")
    },
    named("customer-stop_request_logging", "stop", "StopLogging"),
    Op {
        output: Some((
            "crate::request_logs::RequestLogDetail",
            "crate::request_logs::detail",
        )),
        ..named("customer-get_request_log", "get", "GetRequestLog")
    },
    // resolve
    Op {
        positional: &["path"],
        sends: &[("gateway", "crate::open_enums::GatewayKind::Api")],
        rules: &[("path", "crate::resolve::path_rule")],
        on_client: true,
        ..named(
            "customer-resolve-resolve_route",
            "resolve",
            "ResolveRequest",
        )
    },
    // secrets
    Op {
        sends: OFFSET,
        item: Some(("crate::types::SecretPublic", "crate::secrets::scrub")),
        ..named("customer-secrets-list_secrets", "list", "ListSecrets")
    },
    Op {
        rules: &[("name", "crate::secrets::name_rule")],
        output: Some(("crate::types::SecretPublic", "crate::secrets::scrubbed")),
        ..named("customer-secrets-get_secret", "get", "GetSecret")
    },
    Op {
        positional: &["value"],
        rules: &[("name", "crate::secrets::name_rule")],
        output: Some(("crate::types::SecretPublic", "crate::secrets::scrubbed")),
        redact_body: true,
        ..named("customer-secrets-set_secret", "set", "SetSecret")
    },
    Op {
        rules: &[("name", "crate::secrets::name_rule")],
        ..named("customer-secrets-delete_secret", "delete", "DeleteSecret")
    },
    // services
    Op {
        anonymous: true,
        output: Some(("crate::services::Service", "crate::services::got")),
        ..named("customer-services-get_service", "get", "GetService")
    },
    Op {
        output: Some((
            "Vec<crate::types::AccessInterface>",
            "crate::services::interfaces_listed",
        )),
        ..named(
            "customer-services-list_service_interfaces",
            "interfaces",
            "ListInterfaces",
        )
    },
    named(
        "customer-services-list_customer_group_membership",
        "groups",
        "ListMembership",
    ),
    Op {
        positional: &["group_ids"],
        ..named(
            "customer-services-set_customer_group_membership",
            "set_groups",
            "SetMembership",
        )
    },
    Op {
        anonymous: true,
        ..named(
            "customer-services-list_service_documents",
            "documents",
            "ListDocuments",
        )
    },
    Op {
        anonymous: true,
        ..named(
            "customer-services-get_service_document",
            "document",
            "GetDocument",
        )
    },
    Op {
        anonymous: true,
        ..named("customer-services-get_service_usage", "usage", "GetUsage")
    },
];

/// Active records and their blocking twins, longest path first; every other answer is
/// the same type in both layers.
pub(crate) const BLOCKING_RECORDS: &[(&str, &str)] = &[
    (
        "crate::enrollments::EnrollmentCreated",
        "crate::blocking::EnrollmentCreated",
    ),
    (
        "crate::enrollments::Enrollment",
        "crate::blocking::Enrollment",
    ),
    ("crate::services::Service", "crate::blocking::Service"),
    ("crate::groups::Group", "crate::blocking::Group"),
];

/// The SDK's modules written by hand; each includes its generated half. An operation of
/// any other module lands in `unitysvc::operations::<module>`.
pub const HAND_WRITTEN: &[&str] = &[
    "aliases",
    "broadcasts",
    "chains",
    "enrollments",
    "files",
    "groups",
    "recurrent_requests",
    "request_logs",
    "resolve",
    "secrets",
    "services",
];

/// Tags whose module name is not the tag's own words.
pub(crate) const TAG_NAMES: &[(&str, &str)] = &[("account-files", "files")];

/// The entry for `id`, or the empty override.
pub(crate) fn lookup(id: &str) -> Op {
    TABLE.iter().find(|o| o.id == id).copied().unwrap_or(op(""))
}
