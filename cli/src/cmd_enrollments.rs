//! `usvc enrollments`: subscriptions to services.

use crate::print::{self, Table};
use crate::{CliResult, Ctx};
use clap::Subcommand;
use futures::TryStreamExt;
use std::time::Duration;
use unitysvc::Enrollment;

/// Subcommands of `usvc enrollments`.
#[derive(Debug, Subcommand)]
pub enum EnrollmentsCmd {
    /// List your enrollments.
    List,
    /// Enroll in a service; it starts `pending` and activates in the background.
    Create {
        /// The service's id (a UUID).
        service_id: String,
        /// Wait until the enrollment is active.
        #[arg(long)]
        wait: bool,
        /// How long --wait waits, in seconds.
        #[arg(long, default_value_t = 60, requires = "wait")]
        timeout: u64,
        /// Enrollment parameters as a JSON object, e.g. '{"api_key_secret": "MY_KEY"}'.
        #[arg(long)]
        parameters: Option<String>,
    },
    /// Cancel an enrollment; its parameters are kept for re-enrolling.
    Cancel {
        /// The enrollment's id (a UUID).
        id: String,
    },
}

/// Runs a `usvc enrollments` subcommand.
pub async fn run(ctx: &Ctx, cmd: EnrollmentsCmd) -> CliResult {
    let enrollments = ctx.client.enrollments();
    match cmd {
        EnrollmentsCmd::List => {
            let list: Vec<Enrollment> = enrollments.list().stream().try_collect().await?;
            if ctx.json {
                let records: Vec<_> = list.iter().map(|e| e.record()).collect();
                return print::json(&records);
            }
            let mut table = Table::new(&["ID", "SERVICE", "STATUS", "CREATED"]);
            for e in &list {
                table.row(vec![
                    e.id.to_string(),
                    service_name(e),
                    e.status.to_string(),
                    e.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                ]);
            }
            table.print();
        }
        EnrollmentsCmd::Create {
            service_id,
            wait,
            timeout,
            parameters,
        } => {
            let mut request = enrollments.create(service_id.as_str());
            if let Some(text) = parameters {
                request = request.parameters(serde_json::from_str::<serde_json::Value>(&text)?);
            }
            let created = request.send().await?;
            if wait {
                let e = created.wait_active(Duration::from_secs(timeout)).await?;
                if ctx.json {
                    return print::json(e.record());
                }
                println!("enrollment {} is {}", e.id, e.status);
            } else {
                if ctx.json {
                    return print::json(created.record());
                }
                println!(
                    "enrollment {} is {}: {}",
                    created.id, created.status, created.message
                );
            }
        }
        EnrollmentsCmd::Cancel { id } => {
            let r = enrollments.cancel(id.as_str()).await?;
            if ctx.json {
                return print::json(&r);
            }
            println!(
                "enrollment {} is {}: {}",
                r.enrollment_id, r.status, r.message
            );
        }
    }
    Ok(())
}

/// The service's name from the embedded details, else its id.
fn service_name(e: &Enrollment) -> String {
    e.service
        .as_ref()
        .and_then(|s| s.get("name"))
        .and_then(|n| n.as_str())
        .map_or_else(|| e.service_id.to_string(), str::to_owned)
}
