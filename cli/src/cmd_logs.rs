//! `usvc logs`: request logging of gateway calls.

use crate::print::{self, Table};
use crate::{CliResult, Ctx};
use clap::Subcommand;
use unitysvc::LoggingMode;

/// Subcommands of `usvc logs`.
#[derive(Debug, Subcommand)]
pub enum LogsCmd {
    /// Turn request logging on for later gateway calls.
    Start {
        /// Keep whole request and response bodies instead of an 8 KB preview.
        #[arg(long)]
        complete: bool,
    },
    /// Turn request logging off; rows already captured stay readable.
    Stop,
    /// List logged calls, newest first (the last 24 hours).
    List {
        /// How many rows to show (1–200).
        #[arg(long, default_value_t = 50)]
        limit: u64,
        /// Keep only calls to this service id.
        #[arg(long)]
        service: Option<String>,
    },
}

/// Runs a `usvc logs` subcommand.
pub async fn run(ctx: &Ctx, cmd: LogsCmd) -> CliResult {
    let logs = ctx.client.request_logs();
    match cmd {
        LogsCmd::Start { complete } => {
            let mode = if complete {
                LoggingMode::Complete
            } else {
                LoggingMode::KeepPreference
            };
            let status = logs.start(mode).await?;
            report(ctx, status.enabled)?;
        }
        LogsCmd::Stop => {
            let status = logs.stop().await?;
            report(ctx, status.enabled)?;
        }
        LogsCmd::List { limit, service } => {
            let mut request = logs.list().limit(limit);
            if let Some(id) = service {
                request = request.service_id(id.as_str());
            }
            let page = request.send().await?;
            if ctx.json {
                return print::json(&page.items);
            }
            log_table(&page.items).print();
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

/// A table of log rows: time, method, path, status, duration.
pub fn log_table(rows: &[unitysvc::types::RequestLogListItem]) -> Table {
    let mut table = Table::new(&["TIME", "METHOD", "PATH", "STATUS", "MS"]);
    for row in rows {
        table.row(vec![
            short_time(&row.event_timestamp),
            row.user_request_method.clone(),
            row.user_request_path.clone(),
            print::opt(row.upstream_response_status_code),
            print::opt(row.upstream_response_time_ms.map(|ms| format!("{ms:.0}"))),
        ]);
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
