//! `usvc enrollments`: subscriptions to services.

use crate::args::{self, offset_page, Paging};
use crate::error::CliResult;
use crate::print::{self, Table};
use crate::Ctx;
use clap::Subcommand;
use std::time::Duration;
use unitysvc::types::CustomerEnrollment;

/// Subcommands of `usvc enrollments`.
#[derive(Debug, Subcommand)]
pub enum EnrollmentsCmd {
    /// List your enrollments.
    List {
        /// Include the enrollments shared with your whole account.
        #[arg(long)]
        shared: bool,
        #[command(flatten)]
        paging: Paging,
    },
    /// Show one enrollment.
    Get {
        /// The enrollment's id (a UUID).
        id: String,
    },
    /// Enroll in a service; it starts `pending` and activates in the background.
    Create {
        /// The service's id (a UUID).
        service_id: String,
        /// Wait, with a spinner, until the enrollment is active.
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
        EnrollmentsCmd::List { shared, paging } => {
            let page = offset_page!(enrollments.list().shared(shared), paging);
            let page = page.map(|e| e.into_record());
            page.print(ctx.json, |items| {
                let mut table = Table::new(&["ID", "SERVICE", "STATUS", "CREATED"]);
                for e in items {
                    table.row(vec![
                        e.id.to_string(),
                        service_name(e),
                        e.status.to_string(),
                        e.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                    ]);
                }
                table
            })?;
        }
        EnrollmentsCmd::Get { id } => {
            let e = enrollments.get(args::uuid("enrollment id", &id)?).await?;
            if ctx.json {
                return print::json(e.record());
            }
            print::fields(&[
                ("id", e.id.to_string()),
                ("service", service_name(e.record())),
                ("status", e.status.to_string()),
                ("created", e.created_at.to_rfc3339()),
                ("endpoint", print::opt(e.proxy_endpoint.as_deref())),
                (
                    "parameters",
                    print::opt(
                        e.parameters
                            .as_ref()
                            .map(|p| serde_json::Value::Object(p.clone())),
                    ),
                ),
            ]);
        }
        EnrollmentsCmd::Create {
            service_id,
            wait,
            timeout,
            parameters,
        } => {
            let mut request = enrollments.create(args::uuid("service id", &service_id)?);
            if let Some(text) = parameters {
                request = request.parameters(args::json_object("--parameters", &text)?);
            }
            let created = request.send().await?;
            if !wait {
                if ctx.json {
                    return print::json(created.record());
                }
                println!(
                    "enrollment {} is {}: {}",
                    created.id, created.status, created.message
                );
                return Ok(());
            }
            let spinner = print::spinner(
                format!("waiting for enrollment {} to become active", created.id),
                ctx.json,
            );
            let waited = created.wait_active(Duration::from_secs(timeout)).await;
            spinner.finish_and_clear();
            let e = waited?;
            if ctx.json {
                return print::json(e.record());
            }
            println!("enrollment {} is {}", e.id, e.status);
        }
        EnrollmentsCmd::Cancel { id } => {
            let r = enrollments
                .cancel(args::uuid("enrollment id", &id)?)
                .await?;
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
fn service_name(e: &CustomerEnrollment) -> String {
    e.service
        .as_ref()
        .and_then(|s| s.get("name"))
        .and_then(|n| n.as_str())
        .map_or_else(|| e.service_id.to_string(), str::to_owned)
}
