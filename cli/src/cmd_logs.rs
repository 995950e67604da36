//! `usvc logs`: request logging of gateway calls.

use crate::args::{self, offset_page, Paging};
use crate::error::CliResult;
use crate::print::{self, Table};
use crate::Ctx;
use clap::{Args, Subcommand};
use unitysvc::request_logs::RequestLogDetail;
use unitysvc::LoggingMode;

/// Subcommands of `usvc logs`.
#[derive(Debug, Subcommand)]
pub enum LogsCmd {
    /// Turn request logging on for later gateway calls.
    Start {
        /// Keep whole request and response bodies.
        #[arg(long, conflicts_with = "truncated")]
        complete: bool,
        /// Keep an 8 KB preview of each body.
        #[arg(long)]
        truncated: bool,
    },
    /// Turn request logging off; rows already captured stay readable.
    Stop,
    /// List logged calls, newest first.
    List(Box<ListArgs>),
    /// Show one logged call in full.
    Get {
        /// The log row's id (a UUID).
        id: String,
    },
}

/// The filters of `usvc logs list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Keep only calls to this service id.
    #[arg(long)]
    service: Option<String>,
    /// Keep only calls through this enrollment id.
    #[arg(long)]
    enrollment: Option<String>,
    /// Keep only calls fired by this recurrent request id.
    #[arg(long)]
    recurrent: Option<String>,
    /// Keep only calls whose upstream status is at least this, e.g. 400.
    #[arg(long, value_name = "STATUS")]
    status_min: Option<u16>,
    /// Keep only calls whose upstream status is at most this.
    #[arg(long, value_name = "STATUS")]
    status_max: Option<u16>,
    /// Keep only calls at or after this time, e.g. 2026-01-31T12:00:00Z.
    #[arg(long, value_name = "TIME")]
    since: Option<String>,
    /// Keep only calls at or before this time.
    #[arg(long, value_name = "TIME")]
    until: Option<String>,
    /// Keep only calls whose path starts with this.
    #[arg(long, value_name = "PREFIX")]
    path: Option<String>,
    /// Keep only failures from this source, e.g. `upstream` or `gateway`.
    #[arg(long)]
    error_source: Option<String>,
    /// Keep only failures of this type.
    #[arg(long)]
    error_type: Option<String>,
    /// Keep only calls seen by this gateway: `apisix` or `backend`.
    #[arg(long)]
    gateway: Option<String>,
    #[command(flatten)]
    paging: Paging,
}

/// Runs a `usvc logs` subcommand.
pub async fn run(ctx: &Ctx, cmd: LogsCmd) -> CliResult {
    let logs = ctx.client.request_logs();
    match cmd {
        LogsCmd::Start {
            complete,
            truncated,
        } => {
            let mode = if complete {
                LoggingMode::Complete
            } else if truncated {
                LoggingMode::Truncated
            } else {
                LoggingMode::KeepPreference
            };
            let status = logs.start().mode(mode).await?;
            report(ctx, status.enabled)?;
        }
        LogsCmd::Stop => {
            let status = logs.stop().await?;
            report(ctx, status.enabled)?;
        }
        LogsCmd::List(list) => {
            let ListArgs {
                service,
                enrollment,
                recurrent,
                status_min,
                status_max,
                since,
                until,
                path,
                error_source,
                error_type,
                gateway,
                paging,
            } = *list;
            let mut request = logs.list();
            if let Some(id) = service {
                request = request.service_id(args::uuid("service id", &id)?);
            }
            if let Some(id) = enrollment {
                request = request.service_enrollment_id(args::uuid("enrollment id", &id)?);
            }
            if let Some(id) = recurrent {
                request = request.recurrent_request_id(args::uuid("recurrent request id", &id)?);
            }
            if let Some(status) = status_min {
                request = request.status_min(u64::from(status));
            }
            if let Some(status) = status_max {
                request = request.status_max(u64::from(status));
            }
            if let Some(text) = since {
                request = request.start_time(args::time("--since", &text)?);
            }
            if let Some(text) = until {
                request = request.end_time(args::time("--until", &text)?);
            }
            if let Some(prefix) = path {
                request = request.user_request_path(prefix);
            }
            if let Some(text) = error_source {
                request = request.error_source(text);
            }
            if let Some(text) = error_type {
                request = request.error_type(text);
            }
            if let Some(text) = gateway {
                request = request.gateway_source(text);
            }
            let page = offset_page!(request, paging);
            page.print(ctx.json, |rows| log_table(rows, true))?;
        }
        LogsCmd::Get { id } => {
            let detail = logs.get(args::uuid("log id", &id)?).await?;
            if ctx.json {
                return match &detail {
                    RequestLogDetail::Operator(d) => print::json(d),
                    RequestLogDetail::Customer(d) => print::json(d),
                    _ => print::json(&serde_json::Value::Null),
                };
            }
            let request = detail.user_request();
            let mut fields = vec![
                ("id", detail.log_id().to_owned()),
                ("time", short_time(detail.event_timestamp())),
                ("request", format!("{} {}", request.method, request.path)),
                ("service", print::opt(detail.service_id())),
                ("enrollment", print::opt(detail.service_enrollment_id())),
                ("recurrent", print::opt(detail.recurrent_request_id())),
            ];
            if let Some(answer) = detail.upstream_response() {
                fields.push(("status", answer.status_code.to_string()));
                fields.push((
                    "time (ms)",
                    print::opt(answer.time_ms.map(|ms| format!("{ms:.0}"))),
                ));
            }
            if let Some(forwarded) = detail.gateway_request() {
                fields.push(("forwarded to", forwarded.url.clone()));
            }
            if let Some(error) = detail.error() {
                fields.push((
                    "error",
                    serde_json::to_value(error)
                        .map(|v| v.to_string())
                        .unwrap_or_default(),
                ));
            }
            print::fields(&fields);
            if let Some(body) = request.body.as_ref() {
                println!("\nrequest body:\n{}", body_text(body));
            }
            if let Some(body) = detail.upstream_response().and_then(|a| a.body.as_ref()) {
                println!("\nresponse body:\n{}", body_text(body));
            }
        }
    }
    Ok(())
}

fn report(ctx: &Ctx, enabled: bool) -> CliResult {
    if ctx.json {
        return print::json(&serde_json::json!({ "enabled": enabled }));
    }
    println!("request logging is {}", if enabled { "on" } else { "off" });
    Ok(())
}

/// A logged body: a string as is, other JSON compact.
fn body_text(body: &serde_json::Value) -> String {
    match body {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A table of log rows: (id,) time, method, path, status, duration.
pub fn log_table(rows: &[unitysvc::types::RequestLogListItem], with_id: bool) -> Table {
    let mut headers = vec!["TIME", "METHOD", "PATH", "STATUS", "MS"];
    if with_id {
        headers.insert(0, "ID");
    }
    let mut table = Table::new(&headers);
    for row in rows {
        let id = with_id.then(|| row.log_id.clone());
        table.row(
            id.into_iter()
                .chain([
                    short_time(&row.event_timestamp),
                    row.user_request_method.clone(),
                    row.user_request_path.clone(),
                    print::opt(row.upstream_response_status_code),
                    print::opt(row.upstream_response_time_ms.map(|ms| format!("{ms:.0}"))),
                ])
                .collect(),
        );
    }
    table
}

/// `2025-01-01T12:34:56.789+00:00` as `2025-01-01 12:34:56`; other text unchanged.
fn short_time(timestamp: &str) -> String {
    match (
        timestamp.get(..10),
        timestamp.get(10..11),
        timestamp.get(11..19),
    ) {
        (Some(date), Some("T"), Some(time)) => format!("{date} {time}"),
        _ => timestamp.to_owned(),
    }
}
