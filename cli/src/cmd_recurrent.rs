//! `usvc recurrent`: requests the platform sends on a schedule.

use crate::args::{self, offset_page, Paging};
use crate::error::{CliError, CliResult};
use crate::print::{self, Table};
use crate::Ctx;
use clap::{Args, Subcommand};
use serde_json::json;
use unitysvc::types::RecurrentRequestPublic;
use unitysvc::wrappers::GatewayDuration;
use unitysvc::Schedule;

/// When a recurrent request fires: every so often, or when a cron expression matches.
#[derive(Debug, Clone, Args)]
pub struct ScheduleArgs {
    /// Fire at this interval, e.g. `30s`, `5m`, `1h`, `1d`.
    #[arg(long, value_name = "DURATION", conflicts_with = "cron")]
    every: Option<String>,
    /// Fire when this five-field cron expression matches, e.g. '0 * * * *'.
    #[arg(long, value_name = "EXPRESSION")]
    cron: Option<String>,
    /// The time zone of --cron (an IANA name).
    #[arg(long, default_value = "UTC", requires = "cron")]
    timezone: String,
}

impl ScheduleArgs {
    /// The schedule the flags describe, if any.
    pub fn schedule(&self) -> CliResult<Option<Schedule>> {
        if let Some(text) = &self.every {
            let every: GatewayDuration = text
                .parse()
                .map_err(|e| CliError::invalid(format!("--every: {e}")))?;
            return Ok(Some(Schedule::every(every.as_duration())));
        }
        Ok(self
            .cron
            .as_ref()
            .map(|expr| Schedule::cron(expr).with_timezone(&self.timezone)))
    }
}

/// Subcommands of `usvc recurrent`.
#[derive(Debug, Subcommand)]
pub enum RecurrentCmd {
    /// List your recurrent requests.
    List {
        /// Keep only requests to this service id.
        #[arg(long)]
        service: Option<String>,
        /// Keep only requests through this enrollment id.
        #[arg(long)]
        enrollment: Option<String>,
        /// Keep only requests in this state: draft, active, paused or cancelled.
        #[arg(long)]
        status: Option<String>,
        #[command(flatten)]
        paging: Paging,
    },
    /// Show one recurrent request.
    Get {
        /// The request's id (a UUID).
        id: String,
    },
    /// Create a recurrent request to a gateway path; without a schedule it stays a draft.
    Create {
        /// The gateway path called on every run, e.g. `p/<service id>/chat/completions`.
        path: String,
        #[command(flatten)]
        schedule: ScheduleArgs,
        /// JSON body sent on every run: `@file`, `-`, or the text itself.
        #[arg(long, short = 'd')]
        data: Option<String>,
        /// Header sent on every run, `Name: value`; repeat for more.
        #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
        headers: Vec<String>,
        /// HTTP method.
        #[arg(long, short = 'X', default_value = "POST")]
        method: String,
        /// A name for people.
        #[arg(long)]
        name: Option<String>,
        /// Record the service this request calls.
        #[arg(long)]
        service: Option<String>,
        /// Record the enrollment this request goes through.
        #[arg(long)]
        enrollment: Option<String>,
    },
    /// Run a recurrent request once, now.
    Trigger {
        /// The request's id (a UUID).
        id: String,
    },
    /// Stop a recurrent request from firing until it is resumed.
    Pause {
        /// The request's id (a UUID).
        id: String,
    },
    /// Let a paused recurrent request fire again.
    Resume {
        /// The request's id (a UUID).
        id: String,
    },
    /// Delete a recurrent request; it stops firing.
    Delete {
        /// The request's id (a UUID).
        id: String,
    },
}

/// Runs a `usvc recurrent` subcommand.
pub async fn run(ctx: &Ctx, cmd: RecurrentCmd) -> CliResult {
    let rr = ctx.client.recurrent_requests();
    match cmd {
        RecurrentCmd::List {
            service,
            enrollment,
            status,
            paging,
        } => {
            let mut request = rr.list();
            if let Some(id) = service {
                request = request.service_id(args::uuid("service id", &id)?);
            }
            if let Some(id) = enrollment {
                request = request.enrollment_id(args::uuid("enrollment id", &id)?);
            }
            if let Some(status) = status {
                request = request.status(status.as_str());
            }
            let page = offset_page!(request, paging);
            page.print(ctx.json, |items| {
                let mut table = Table::new(&["ID", "NAME", "STATUS", "SCHEDULE", "PATH"]);
                for r in items {
                    table.row(vec![
                        r.id.to_string(),
                        print::opt(r.name.as_deref()),
                        r.status.to_string(),
                        schedule_text(r),
                        r.request_path.clone(),
                    ]);
                }
                table
            })?;
        }
        RecurrentCmd::Get { id } => {
            let r = rr.get(args::uuid("recurrent request id", &id)?).await?;
            print_one(ctx, &r)?;
        }
        RecurrentCmd::Create {
            path,
            schedule,
            data,
            headers,
            method,
            name,
            service,
            enrollment,
        } => {
            let schedule = schedule.schedule()?;
            let mut request = rr.create(path).method(args::method(&method)?.as_str());
            if let Some(spec) = data {
                request = request.body_template(args::read_json(&spec)?);
            }
            for text in &headers {
                let (name, value) = args::header(text)?;
                request = request.header(name, value);
            }
            if let Some(name) = name {
                request = request.name(name);
            }
            if let Some(id) = service {
                request = request.service_id(args::uuid("service id", &id)?);
            }
            if let Some(id) = enrollment {
                request = request.enrollment_id(args::uuid("enrollment id", &id)?);
            }
            let mut created = request.send().await?;
            if let Some(schedule) = schedule {
                created = rr.set_schedule(created.id, &schedule).await?;
            }
            print_one(ctx, &created)?;
        }
        RecurrentCmd::Trigger { id } => {
            let summary = rr.trigger(args::uuid("recurrent request id", &id)?).await?;
            if ctx.json {
                return print::json(&summary);
            }
            match summary.get("status_code") {
                Some(status) => println!(
                    "recurrent request {id} ran once: HTTP {status} (run {})",
                    summary.get("run_count").unwrap_or(&serde_json::Value::Null)
                ),
                None => println!("recurrent request {id} triggered: {summary}"),
            }
        }
        RecurrentCmd::Pause { id } => {
            let r = rr
                .update(args::uuid("recurrent request id", &id)?)
                .status("paused")
                .send()
                .await?;
            print_one(ctx, &r)?;
        }
        RecurrentCmd::Resume { id } => {
            let r = rr
                .update(args::uuid("recurrent request id", &id)?)
                .status("active")
                .send()
                .await?;
            print_one(ctx, &r)?;
        }
        RecurrentCmd::Delete { id } => {
            let uuid = args::uuid("recurrent request id", &id)?;
            rr.delete(uuid).await?;
            if ctx.json {
                return print::json(&json!({"deleted": true, "id": uuid}));
            }
            println!("recurrent request {id} deleted");
        }
    }
    Ok(())
}

/// Prints one recurrent request: JSON, or its fields.
pub fn print_one(ctx: &Ctx, r: &RecurrentRequestPublic) -> CliResult {
    if ctx.json {
        return print::json(r);
    }
    print::fields(&[
        ("id", r.id.to_string()),
        ("name", print::opt(r.name.as_deref())),
        ("status", r.status.to_string()),
        ("schedule", schedule_text(r)),
        ("method", r.http_method.clone()),
        ("path", r.request_path.clone()),
        ("service", print::opt(r.service_id)),
        ("enrollment", print::opt(r.enrollment_id)),
    ]);
    Ok(())
}

/// `every 5m`, `cron 0 * * * * (UTC)`, or `-`.
fn schedule_text(r: &RecurrentRequestPublic) -> String {
    match Schedule::from_record(r) {
        Some(Schedule::Interval { seconds }) => match GatewayDuration::from_secs(seconds) {
            Ok(every) => format!("every {every}"),
            Err(_) => format!("every {seconds} s"),
        },
        Some(Schedule::Cron {
            expression,
            timezone,
        }) => format!("cron {expression} ({timezone})"),
        _ => r.schedule.as_ref().map_or_else(
            || "-".to_owned(),
            |s| serde_json::Value::Object(s.clone()).to_string(),
        ),
    }
}
