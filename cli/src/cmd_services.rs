//! `usvc services`: service detail, interfaces, and calls through the gateway.

use crate::print::{self, Table};
use crate::{CliError, CliResult, Ctx};
use clap::Subcommand;
use futures::StreamExt;
use unitysvc::Event;

/// Subcommands of `usvc services`.
#[derive(Debug, Subcommand)]
pub enum ServicesCmd {
    /// Show one service by id.
    Get {
        /// The service's id (a UUID).
        id: String,
    },
    /// List the interfaces you can dispatch to.
    Interfaces {
        /// The service's id (a UUID).
        id: String,
    },
    /// Send a request to the service through the gateway and print the answer.
    ///
    /// The answer's body goes to stdout; a non-2xx status is an error (exit code 1).
    Dispatch {
        /// The service's id (a UUID).
        id: String,
        /// Sub-path appended to the interface URL, e.g. `chat/completions`.
        #[arg(long, default_value = "")]
        path: String,
        /// JSON body to send (POST).
        #[arg(long)]
        data: Option<String>,
        /// Print the body as it arrives; chat completion chunks print their text only.
        #[arg(long)]
        stream: bool,
        /// The interface to use, by name, when the service has several.
        #[arg(long)]
        interface: Option<String>,
        /// HTTP method.
        #[arg(long, short = 'X', default_value = "POST")]
        method: String,
    },
}

/// Runs a `usvc services` subcommand.
pub async fn run(ctx: &Ctx, cmd: ServicesCmd) -> CliResult {
    let services = ctx.client.services();
    match cmd {
        ServicesCmd::Get { id } => {
            let s = services.get(id.as_str()).await?;
            if ctx.json {
                return print::json(s.record());
            }
            print::fields(&[
                ("name", s.name.clone()),
                ("id", s.id.to_string()),
                ("display name", print::opt(s.display_name.as_deref())),
                ("provider", print::opt(s.provider_name.as_deref())),
                ("type", print::opt(s.service_type.as_deref())),
                ("description", print::opt(s.description.as_deref())),
                (
                    "capabilities",
                    print::opt(s.capabilities.as_ref().map(|c| c.join(", "))),
                ),
            ]);
        }
        ServicesCmd::Interfaces { id } => {
            let interfaces = services.interfaces(id.as_str()).send().await?;
            if ctx.json {
                return print::json(&interfaces);
            }
            let mut table = Table::new(&["NAME", "BASE URL", "ENROLLMENT", "DESCRIPTION"]);
            for i in &interfaces {
                table.row(vec![
                    i.name.clone(),
                    print::opt(i.base_url.as_deref()),
                    print::opt(i.enrollment_id),
                    print::opt(i.description.as_deref()),
                ]);
            }
            table.print();
        }
        ServicesCmd::Dispatch {
            id,
            path,
            data,
            stream,
            interface,
            method,
        } => {
            let method = method
                .to_uppercase()
                .parse()
                .map_err(|_| CliError(format!("invalid HTTP method {method:?}")))?;
            let mut request = services.dispatch(id.as_str()).path(path).method(method);
            if let Some(name) = interface {
                request = request.interface(name);
            }
            if let Some(data) = data {
                let body: serde_json::Value = serde_json::from_str(&data)?;
                request = request.json(&body);
            }
            if stream {
                let response = request.stream().await?;
                let status = response.status();
                let mut events = response.events();
                let mut at_line_start = true;
                while let Some(event) = events.next().await {
                    let text = event_text(&event?);
                    if !text.is_empty() {
                        print::fragment(&text)?;
                        at_line_start = text.ends_with('\n');
                    }
                }
                if !at_line_start {
                    println!();
                }
                if !status.is_success() {
                    return Err(CliError(format!("the service answered HTTP {status}")));
                }
            } else {
                let response = request.send().await?;
                println!("{}", response.text());
                if !response.is_success() {
                    return Err(CliError(format!(
                        "the service answered HTTP {}",
                        response.status()
                    )));
                }
            }
        }
    }
    Ok(())
}

/// The text to print for one streamed event: a chat delta's text, else the event's data
/// on its own line.
fn event_text(event: &Event) -> String {
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
