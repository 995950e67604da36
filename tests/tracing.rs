//! One span per call, with the documented fields, retry waits as events inside it, stream
//! spans that last until the stream ends, and no key, secret or body anywhere.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;
use unitysvc::{Client, RetryPolicy, Wrappable};

/// A finished span: its name, its fields, and the events recorded inside it.
#[derive(Debug, Clone, Default)]
struct Captured {
    name: String,
    fields: BTreeMap<String, String>,
    events: Vec<BTreeMap<String, String>>,
    closed: bool,
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<BTreeMap<u64, Captured>>>);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _ctx: Context<'_, S>) {
        let mut span = Captured {
            name: attrs.metadata().name().to_owned(),
            ..Captured::default()
        };
        attrs.record(&mut Fields(&mut span.fields));
        self.0.lock().unwrap().insert(id.into_u64(), span);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _ctx: Context<'_, S>) {
        if let Some(span) = self.0.lock().unwrap().get_mut(&id.into_u64()) {
            values.record(&mut Fields(&mut span.fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let parent = event
            .parent()
            .cloned()
            .or_else(|| ctx.current_span().id().cloned());
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        if let Some(parent) = parent {
            if let Some(span) = self.0.lock().unwrap().get_mut(&parent.into_u64()) {
                span.events.push(fields);
            }
        }
    }

    fn on_close(&self, id: Id, _ctx: Context<'_, S>) {
        if let Some(span) = self.0.lock().unwrap().get_mut(&id.into_u64()) {
            span.closed = true;
        }
    }
}

impl Capture {
    fn spans(&self, name: &str) -> Vec<Captured> {
        self.0
            .lock()
            .unwrap()
            .values()
            .filter(|s| s.name == name)
            .cloned()
            .collect()
    }

    fn everything(&self) -> String {
        format!("{:?}", self.0.lock().unwrap())
    }
}

fn capture() -> (Capture, tracing::subscriber::DefaultGuard) {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    let guard = tracing::subscriber::set_default(subscriber);
    (capture, guard)
}

#[tokio::test]
async fn control_plane_calls_get_one_span_each() {
    let (capture, _guard) = capture();
    let (sb, client) = common::start().await;
    client
        .secrets()
        .set("TRACE_ME", "value-never-logged")
        .send()
        .await
        .unwrap();
    let err = client.secrets().get("NO_SUCH_SECRET").await.unwrap_err();
    assert!(err.is_not_found());

    let spans = capture.spans("unitysvc.request");
    let set = spans
        .iter()
        .find(|s| s.fields["operation"] == "customer_secrets_set_secret")
        .expect("a span for secrets.set");
    assert_eq!(set.fields["otel.name"], "customer_secrets_set_secret");
    assert_eq!(set.fields["method"], "PUT");
    assert!(set.fields["host"].starts_with("127.0.0.1:"));
    assert!(set.fields["status"].starts_with('2'), "{:?}", set.fields);
    assert_eq!(set.fields["attempts"], "1");
    assert!(set.fields.contains_key("latency_ms"));
    assert!(set.closed, "the span ends with the call");

    let get = spans
        .iter()
        .find(|s| s.fields["operation"] == "customer_secrets_get_secret")
        .expect("a span for secrets.get");
    assert_eq!(get.fields["status"], "404");
    assert_eq!(get.fields["error.kind"], "NotFound");

    let all = capture.everything();
    assert!(!all.contains("value-never-logged"), "a secret value leaked");
    assert!(!all.contains(sb.api_key()), "the key leaked");
}

#[tokio::test]
async fn retry_waits_are_events_inside_the_span() {
    let (capture, _guard) = capture();
    let refused = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let client = Client::builder()
        .base_url(format!("http://{refused}/v1"))
        .api_key("svcpass_tracekey")
        .retry(
            RetryPolicy::with_max_retries(2)
                .backoff(Duration::from_millis(5), Duration::from_millis(20)),
        )
        .ignore_env()
        .build()
        .unwrap();
    let err = client.groups().get("llm").await.unwrap_err();
    assert_eq!(err.kind(), unitysvc::ErrorKind::Connection);
    let span = capture
        .spans("unitysvc.request")
        .into_iter()
        .next()
        .expect("span");
    assert_eq!(span.fields["attempts"], "3");
    assert_eq!(span.fields["error.kind"], "Connection");
    let retries: Vec<_> = span
        .events
        .iter()
        .filter(|e| e.get("message").is_some_and(|m| m == "unitysvc retry"))
        .collect();
    assert_eq!(retries.len(), 2, "{:?}", span.events);
    for retry in retries {
        assert_eq!(retry["path"], "/v1/groups/llm");
        assert!(retry.contains_key("wait_ms"));
    }
    assert!(!capture.everything().contains("svcpass_tracekey"));
}

#[tokio::test]
async fn dispatch_and_stream_spans() {
    let (capture, _guard) = capture();
    let (sb, client) = common::start().await;
    let service = common::service(&client, common::SIMPLE_SERVICE).await;
    let body = serde_json::json!({"model": "m", "messages": [{"role": "user", "content": "body-never-logged"}]});
    service
        .logged_complete()
        .dispatch()
        .path("chat/completions?user=private-value")
        .json(&body)
        .send()
        .await
        .unwrap();
    let spans = capture.spans("unitysvc.dispatch");
    let buffered = spans.first().expect("dispatch span");
    assert_eq!(
        buffered.fields["path"],
        format!("l/p/{}/chat/completions?_complete&user", service.id)
    );
    assert_eq!(buffered.fields["method"], "POST");
    assert_eq!(buffered.fields["status"], "200");
    assert!(buffered.closed);

    let stream_body = serde_json::json!({"model": "m", "stream": true, "messages": [{"role": "user", "content": "hi"}]});
    let mut events = service
        .dispatch_path()
        .path("chat/completions")
        .json(&stream_body)
        .stream()
        .await
        .unwrap()
        .events();
    events.next().await.unwrap().unwrap();
    let mut count = 1;
    let open = capture.spans("unitysvc.dispatch");
    assert!(
        open.iter().any(|s| !s.closed),
        "a stream's span lives while the stream does"
    );
    while let Some(event) = events.next().await {
        event.unwrap();
        count += 1;
    }
    let spans = capture.spans("unitysvc.dispatch");
    let stream = spans
        .iter()
        .find(|s| s.fields.contains_key("events"))
        .expect("stream span");
    assert!(stream.closed, "the span ends with the stream");
    assert_eq!(stream.fields["events"], count.to_string());
    assert!(stream.fields["bytes"].parse::<u64>().unwrap() > 0);
    assert_eq!(stream.fields["end"], "done");

    let all = capture.everything();
    for secret in ["body-never-logged", "private-value", sb.api_key()] {
        assert!(!all.contains(secret), "{secret} leaked");
    }
}
