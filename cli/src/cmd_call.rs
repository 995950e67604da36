//! `usvc call`: any gateway path, optionally wrapped in the platform's wrapper primitives.
//!
//! The printing of answers lives here too; `usvc services dispatch` shares it.

use crate::args;
use crate::error::{CliError, CliResult};
use crate::print;
use crate::Ctx;
use clap::{Args, ValueEnum};
use futures::StreamExt;
use serde_json::{json, Map, Value};
use std::time::Duration;
use unitysvc::header::HeaderMap;
use unitysvc::wrappers::{build_path, Delay, GatewayDuration, GatewayPath, Wrappers};
use unitysvc::{DispatchRequest, Event, StatusCode};

/// Arguments of `usvc call`.
#[derive(Debug, Args)]
#[command(after_help = "\
Wrappers are applied in the platform's canonical order (log, cache, failover, tee, delay,
recurrence), so `--logged --cached 1h` on p/ID/chat/completions calls
l/m/p/ID/chat/completions?_ttl=1h.

Examples:
  usvc call g/llm/chat/completions --data '{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}'
  usvc call p/ID/chat/completions --data @body.json --stream
  usvc call a/fast/chat/completions --logged=complete --cached 10m --failover g/llm/chat/completions
  usvc call p/ID/v1/models --method GET --dry-run")]
pub struct CallArgs {
    /// Gateway path: `p/<service id>/…`, `g/<group>/…`, `a/<alias>/…`, with any query.
    path: String,
    /// HTTP method; GET without --data, POST with it.
    #[arg(long, short = 'X')]
    method: Option<String>,
    /// Request body: `@file`, `-` for standard input, or the text itself. JSON is sent as
    /// `application/json` unless a Content-Type header is given.
    #[arg(long, short = 'd')]
    data: Option<String>,
    /// Extra header, `Name: value`; repeat for more.
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// Print the answer as it arrives: chat completion text, or one line per event (NDJSON
    /// with --json).
    #[arg(long)]
    stream: bool,
    /// Log the call (`l/`); `--logged=complete` keeps whole bodies.
    #[arg(
        long,
        value_enum,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "preview",
        value_name = "CAPTURE"
    )]
    logged: Option<LogCapture>,
    /// Cache the answer for this long (`m/`), e.g. `10m`, `1h`, `2d`.
    #[arg(long, value_name = "TTL")]
    cached: Option<String>,
    /// Refresh the cached answer now (`m/` with `_renew`).
    #[arg(long)]
    renew: bool,
    /// Send to this gateway path when the call fails (`f/`).
    #[arg(long, value_name = "PATH")]
    failover: Option<String>,
    /// Also send the call to this gateway path (`t/`).
    #[arg(long, value_name = "PATH")]
    tee: Option<String>,
    /// Run the call at this time (`d/`), e.g. `2026-06-01T10:00:00Z`.
    #[arg(long, value_name = "TIME", conflicts_with = "delay_in")]
    delay_at: Option<String>,
    /// Run the call after this long (`d/`), e.g. `30s`.
    #[arg(long, value_name = "DURATION")]
    delay_in: Option<String>,
    /// Repeat the call at this interval (`r/`), e.g. `1h`.
    #[arg(long, value_name = "DURATION")]
    every: Option<String>,
    /// Give up after this many seconds (default 30; streams end after 30 s of silence).
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<u64>,
    /// Print the method and URL that would be called, and send nothing.
    #[arg(long)]
    dry_run: bool,
}

/// How much `--logged` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogCapture {
    /// An 8 KB preview of each body.
    Preview,
    /// Whole request and response bodies.
    Complete,
}

/// Runs `usvc call`.
pub async fn run(ctx: &Ctx, args: CallArgs) -> CliResult {
    let path = wrapped_path(&args)?;
    let method = match &args.method {
        Some(m) => args::method(m)?,
        None if args.data.is_some() => unitysvc::Method::POST,
        None => unitysvc::Method::GET,
    };
    let mut request = ctx.client.dispatch(&path).method(method.clone());
    request = with_body(request, args.data.as_deref(), &args.headers, args.stream)?;
    if let Some(secs) = args.timeout {
        request = request.timeout(Duration::from_secs(secs));
    }
    if args.dry_run {
        let url = request.url().await?;
        if ctx.json {
            return print::json(&json!({"method": method.as_str(), "path": path, "url": url}));
        }
        println!("{method} {url}");
        return Ok(());
    }
    send(ctx, request, args.stream).await
}

/// The gateway path with the wrappers the flags ask for.
fn wrapped_path(args: &CallArgs) -> CliResult<String> {
    let target = GatewayPath::raw(&args.path)?;
    let duration = |flag: &str, text: &Option<String>| -> CliResult<Option<GatewayDuration>> {
        text.as_deref()
            .map(|t| {
                t.parse::<GatewayDuration>()
                    .map_err(|e| CliError::invalid(format!("{flag}: {e}")))
            })
            .transpose()
    };
    let secondary = |flag: &str, text: &Option<String>| -> CliResult<Option<GatewayPath>> {
        text.as_deref()
            .map(|t| GatewayPath::raw(t).map_err(|e| CliError::invalid(format!("{flag}: {e}"))))
            .transpose()
    };
    let delay = match (&args.delay_at, duration("--delay-in", &args.delay_in)?) {
        (Some(at), _) => {
            Some(Delay::at(at).map_err(|e| CliError::invalid(format!("--delay-at: {e}")))?)
        }
        (None, Some(after)) => Some(Delay::after(after)),
        (None, None) => None,
    };
    let wrappers = Wrappers {
        log: args.logged.is_some(),
        log_complete: args.logged == Some(LogCapture::Complete),
        ttl: duration("--cached", &args.cached)?,
        renew: args.renew,
        failover: secondary("--failover", &args.failover)?,
        tee: secondary("--tee", &args.tee)?,
        delay,
        every: duration("--every", &args.every)?,
    };
    Ok(build_path(&target, &wrappers)?.to_string())
}

/// Adds `--data` and `-H` to a request; with `--stream`, a JSON object body without a
/// `"stream"` key gets `"stream": true`, since OpenAI-style upstreams otherwise answer with
/// one buffered document.
pub fn with_body(
    mut request: DispatchRequest,
    data: Option<&str>,
    headers: &[String],
    stream: bool,
) -> CliResult<DispatchRequest> {
    let mut content_type = false;
    for text in headers {
        let (name, value) = args::header(text)?;
        content_type |= name.eq_ignore_ascii_case("content-type");
        request = request.header(&name, &value);
    }
    if let Some(spec) = data {
        let bytes = args::read_data(spec)?;
        request = match serde_json::from_slice::<Value>(&bytes) {
            Ok(mut value) if !content_type => {
                if stream {
                    ask_for_a_stream(&mut value);
                }
                request.json(&value)
            }
            _ => request.body(bytes),
        };
    }
    Ok(request)
}

/// Sets `"stream": true` on an object body that lacks the key; warns when the body says
/// `"stream": false`, which the caller may mean.
fn ask_for_a_stream(body: &mut Value) {
    let Some(object) = body.as_object_mut() else {
        return;
    };
    match object.get("stream") {
        None => {
            object.insert("stream".to_owned(), Value::Bool(true));
            eprintln!("note: --stream added \"stream\": true to the request body");
        }
        Some(Value::Bool(true)) => {}
        Some(other) => eprintln!(
            "warning: --stream with \"stream\": {other} in the body; the upstream may answer with one document"
        ),
    }
}

/// Sends a gateway request and prints the answer; a non-success status is an error whose
/// exit code follows the status.
pub async fn send(ctx: &Ctx, request: DispatchRequest, stream: bool) -> CliResult {
    if !stream {
        let response = request.send().await?;
        return print_answer(ctx, response.status(), response.headers(), response.bytes());
    }
    let response = request.stream().await?;
    let status = response.status();
    if !status.is_success() {
        let headers = response.headers().clone();
        let text = response.collect_text().await?;
        return print_answer(ctx, status, &headers, text.as_bytes());
    }
    let mut events = response.events();
    let mut at_line_start = true;
    while let Some(event) = events.next().await {
        let event = event?;
        if ctx.json {
            print::json_line(&print::event_json(&event))?;
            continue;
        }
        let text = event_text(&event);
        if !text.is_empty() {
            print::fragment(&text)?;
            at_line_start = text.ends_with('\n');
        }
    }
    if !at_line_start {
        println!();
    }
    Ok(())
}

/// Prints a buffered answer: the body as is, or `{status, headers, body}` with --json.
fn print_answer(ctx: &Ctx, status: StatusCode, headers: &HeaderMap, body: &[u8]) -> CliResult {
    if ctx.json {
        let parsed = serde_json::from_slice::<Value>(body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()));
        let header_map: Map<String, Value> = headers
            .iter()
            .map(|(name, value)| {
                let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_owned(), Value::String(text))
            })
            .collect();
        print::json(&json!({"status": status.as_u16(), "headers": header_map, "body": parsed}))?;
    } else if !body.is_empty() {
        let text = String::from_utf8_lossy(body);
        if text.ends_with('\n') {
            print!("{text}");
        } else {
            println!("{text}");
        }
    }
    if status.is_success() {
        Ok(())
    } else {
        Err(CliError::from_response(status, headers, body))
    }
}

/// The text to print for one streamed event: a chat delta's text, else the event's data
/// on its own line.
pub fn event_text(event: &Event) -> String {
    if let Some(delta) = unitysvc::streaming::chat_delta(event) {
        return delta.to_owned();
    }
    match event {
        // Chat chunks without text (the role-only first one, the finishing one) print nothing.
        Event::Sse(sse) if sse.json().is_some_and(|v| v.get("choices").is_some()) => String::new(),
        Event::Sse(sse) => format!("{}\n", sse.data()),
        Event::Json(value) => format!("{value}\n"),
        Event::Line(line) => format!("{line}\n"),
        Event::Bytes(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        _ => String::new(),
    }
}
