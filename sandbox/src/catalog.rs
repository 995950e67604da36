//! The deterministic seed catalog: customers, system groups and services.

use crate::state::{Customer, Db, Document, Group, InterfaceSeed, Member, Service};
use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;

/// API key of the demo customer.
pub const DEMO_KEY: &str = "svcpass_sandbox_demo";
/// API key of a second customer isolated from the demo one.
pub const SECOND_KEY: &str = "svcpass_sandbox_second";
/// Name of a service exposing two shared interfaces (`canonical` and `latest`).
pub const TWO_INTERFACE_SERVICE: &str = "openai-gpt-4o";
/// Name of a service whose `byok` interface appears once the caller is enrolled.
pub const BYOK_SERVICE: &str = "anthropic-claude-sonnet-byok";
/// Name of a simple single-interface LLM service.
pub const SIMPLE_SERVICE: &str = "mistral-small-latest";
/// Number of services in the `llm` group.
pub const LLM_SERVICE_COUNT: usize = 130;
/// System group names.
pub const GROUPS: [&str; 3] = ["llm", "embeddings", "search"];

fn id(kind: &str, name: &str) -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!("unitysvc-sandbox:{kind}:{name}").as_bytes(),
    )
}

/// Deterministic id of the seeded service called `name`.
pub fn service_id(name: &str) -> Uuid {
    id("service", name)
}

/// Deterministic id of the seeded system group called `name`.
pub fn group_id(name: &str) -> Uuid {
    id("group", name)
}

/// Deterministic customer id of the demo customer.
pub fn demo_customer_id() -> Uuid {
    id("customer", "demo")
}

fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

fn iface(name: &str, description: &str, byok: bool) -> InterfaceSeed {
    InterfaceSeed {
        name: name.into(),
        description: description.into(),
        byok,
    }
}

fn docs(name: &str) -> Vec<Document> {
    vec![
        Document {
            id: id("document", &format!("{name}:getting-started")),
            title: "Getting started".into(),
            category: "getting_started".into(),
            mime_type: "markdown".into(),
            content: format!("# {name}\n\nSend requests to `{{base_url}}` with your svcpass key."),
        },
        Document {
            id: id("document", &format!("{name}:python")),
            title: "Python example".into(),
            category: "code_example".into(),
            mime_type: "python".into(),
            content: "import httpx\nhttpx.post(\"{base_url}/v1/chat/completions\", json={\"messages\": []})\n".into(),
        },
    ]
}

struct Spec<'a> {
    name: String,
    display: String,
    provider: &'a str,
    service_type: &'a str,
    group: &'a str,
    interfaces: Vec<InterfaceSeed>,
    enrollment_mode: &'a str,
}

fn specs() -> Vec<Spec<'static>> {
    let canonical = || vec![iface("canonical", "OpenAI-compatible API", false)];
    let mut out = vec![
        Spec {
            name: TWO_INTERFACE_SERVICE.into(),
            display: "GPT-4o".into(),
            provider: "OpenAI",
            service_type: "llm",
            group: "llm",
            interfaces: vec![
                iface("canonical", "OpenAI-compatible API", false),
                iface("latest", "Latest API revision", false),
            ],
            enrollment_mode: "optional",
        },
        Spec {
            name: BYOK_SERVICE.into(),
            display: "Claude Sonnet (bring your own key)".into(),
            provider: "Anthropic",
            service_type: "llm",
            group: "llm",
            interfaces: vec![
                iface("canonical", "Shared platform key", false),
                iface("byok", "Your own provider key", true),
            ],
            enrollment_mode: "required",
        },
        Spec {
            name: SIMPLE_SERVICE.into(),
            display: "Mistral Small".into(),
            provider: "Mistral AI",
            service_type: "llm",
            group: "llm",
            interfaces: canonical(),
            enrollment_mode: "disallowed",
        },
    ];
    let providers = [
        ("openai", "OpenAI", ["gpt", "o-mini", "turbo"]),
        (
            "anthropic",
            "Anthropic",
            ["claude-haiku", "claude-opus", "claude-instant"],
        ),
        (
            "mistral",
            "Mistral AI",
            ["mistral-large", "codestral", "ministral"],
        ),
        ("meta", "Meta", ["llama", "llama-vision", "llama-guard"]),
        ("google", "Google", ["gemini-flash", "gemini-pro", "gemma"]),
        (
            "deepseek",
            "DeepSeek",
            ["deepseek-chat", "deepseek-coder", "deepseek-reasoner"],
        ),
        (
            "qwen",
            "Alibaba Cloud",
            ["qwen-plus", "qwen-max", "qwen-turbo"],
        ),
        ("cohere", "Cohere", ["command-r", "command-r-plus", "aya"]),
    ];
    let mut i = 0usize;
    while out.len() < LLM_SERVICE_COUNT {
        let (slug, provider, families) = &providers[i % providers.len()];
        let family = families[(i / providers.len()) % families.len()];
        let rev = i / (providers.len() * families.len()) + 1;
        out.push(Spec {
            name: format!("{slug}-{family}-{:03}", i + 1),
            display: format!(
                "{} {} r{rev} #{}",
                provider,
                family.replace('-', " "),
                i + 1
            ),
            provider,
            service_type: "llm",
            group: "llm",
            interfaces: canonical(),
            enrollment_mode: "disallowed",
        });
        i += 1;
    }
    for (name, display, provider) in [
        (
            "openai-text-embedding-3-small",
            "Text Embedding 3 Small",
            "OpenAI",
        ),
        ("cohere-embed-english-v3", "Embed English v3", "Cohere"),
        ("voyage-3-lite", "Voyage 3 Lite", "Voyage AI"),
    ] {
        out.push(Spec {
            name: name.into(),
            display: display.into(),
            provider,
            service_type: "embedding",
            group: "embeddings",
            interfaces: canonical(),
            enrollment_mode: "disallowed",
        });
    }
    for (name, display, provider) in [
        ("tavily-search", "Tavily Search", "Tavily"),
        ("brave-web-search", "Brave Web Search", "Brave"),
    ] {
        out.push(Spec {
            name: name.into(),
            display: display.into(),
            provider,
            service_type: "search",
            group: "search",
            interfaces: vec![iface("canonical", "REST API", false)],
            enrollment_mode: "disallowed",
        });
    }
    out
}

/// Builds the seeded database.
pub fn seed() -> Db {
    let mut db = Db {
        customers: vec![
            Customer {
                id: demo_customer_id(),
                user_id: id("user", "demo"),
                key: DEMO_KEY.into(),
            },
            Customer {
                id: id("customer", "second"),
                user_id: id("user", "second"),
                key: SECOND_KEY.into(),
            },
        ],
        ..Db::default()
    };
    let group_meta = [
        (
            "llm",
            "Large language models",
            "Chat and completion models behind one OpenAI-compatible endpoint.",
        ),
        ("embeddings", "Embeddings", "Text embedding models."),
        ("search", "Web search", "Search APIs."),
    ];
    for (name, display, description) in group_meta {
        db.groups.push(Group {
            id: group_id(name),
            name: name.into(),
            display_name: Some(display.into()),
            description: Some(description.into()),
            owner: None,
            group_type: "category".into(),
            enabled: true,
            members: Vec::new(),
            has_interface: name != "search",
        });
    }
    for (i, spec) in specs().into_iter().enumerate() {
        let sid = service_id(&spec.name);
        let minutes = i64::try_from(i).unwrap_or(0);
        let service = Service {
            id: sid,
            documents: docs(&spec.name),
            name: spec.name.clone(),
            display_name: spec.display,
            provider_name: spec.provider.into(),
            service_type: spec.service_type.into(),
            description: format!("{} served through the UnitySVC sandbox gateway.", spec.name),
            capabilities: vec![spec.service_type.into(), "streaming".into()],
            tags: vec![spec.provider.to_lowercase().replace(' ', "-")],
            created_at: base_time() + Duration::minutes(minutes),
            interfaces: spec.interfaces,
            enrollment_mode: spec.enrollment_mode.into(),
        };
        if let Some(g) = db.groups.iter_mut().find(|g| g.name == spec.group) {
            let sort_order = i64::try_from(g.members.len()).unwrap_or(0);
            g.members.push(Member {
                id: id("member", &format!("{}:{}", spec.group, spec.name)),
                service_id: sid,
                routing_key: None,
                sort_order,
            });
        }
        db.services.push(service);
    }
    db
}
