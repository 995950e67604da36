//! `usvc services`: service detail, documents, pricing, calls and scheduled calls.

use crate::args;
use crate::cmd_call;
use crate::cmd_recurrent::{self, ScheduleArgs};
use crate::error::CliResult;
use crate::print::{self, Page, Table};
use crate::Ctx;
use clap::Subcommand;

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
    /// List the service's documents, or show one with its content.
    Documents {
        /// The service's id (a UUID).
        id: String,
        /// Show this document (its id) with its content.
        #[arg(long)]
        document: Option<String>,
    },
    /// Show how the service is accessed and priced.
    Usage {
        /// The service's id (a UUID).
        id: String,
    },
    /// Send a request to the service through the gateway and print the answer.
    ///
    /// The answer's body goes to stdout; a non-2xx status exits with the code of its kind.
    Dispatch {
        /// The service's id (a UUID).
        id: String,
        /// Sub-path appended to the interface URL, e.g. `chat/completions`.
        #[arg(long, default_value = "")]
        path: String,
        /// Request body: `@file`, `-` for standard input, or the text itself.
        #[arg(long, short = 'd')]
        data: Option<String>,
        /// Extra header, `Name: value`; repeat for more.
        #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
        headers: Vec<String>,
        /// Print the body as it arrives; chat completion chunks print their text only.
        #[arg(long)]
        stream: bool,
        /// The interface to use, by name, when the service has several.
        #[arg(long)]
        interface: Option<String>,
        /// Use the interface bound to this enrollment.
        #[arg(long)]
        enrollment: Option<String>,
        /// HTTP method.
        #[arg(long, short = 'X', default_value = "POST")]
        method: String,
    },
    /// Have the platform call the service on a schedule (a recurrent request).
    Schedule {
        /// The service's id (a UUID).
        id: String,
        #[command(flatten)]
        schedule: ScheduleArgs,
        /// Sub-path appended to the interface URL, e.g. `chat/completions`.
        #[arg(long, default_value = "")]
        path: String,
        /// JSON body sent on every run: `@file`, `-`, or the text itself.
        #[arg(long, short = 'd')]
        data: Option<String>,
        /// Header sent on every run, `Name: value`; repeat for more.
        #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
        headers: Vec<String>,
        /// HTTP method.
        #[arg(long, short = 'X', default_value = "POST")]
        method: String,
        /// A name for the recurrent request.
        #[arg(long)]
        name: Option<String>,
        /// The interface to use, by name.
        #[arg(long)]
        interface: Option<String>,
        /// Use (and record) this enrollment.
        #[arg(long)]
        enrollment: Option<String>,
    },
}

/// Runs a `usvc services` subcommand.
pub async fn run(ctx: &Ctx, cmd: ServicesCmd) -> CliResult {
    let services = ctx.client.services();
    match cmd {
        ServicesCmd::Get { id } => {
            let s = services.get(args::uuid("service id", &id)?).await?;
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
            let interfaces = services
                .interfaces(args::uuid("service id", &id)?)
                .send()
                .await?;
            Page::complete(interfaces).print(ctx.json, |items| {
                let mut table = Table::new(&["NAME", "BASE URL", "ENROLLMENT", "DESCRIPTION"]);
                for i in items {
                    table.row(vec![
                        i.name.clone(),
                        print::opt(i.base_url.as_deref()),
                        print::opt(i.enrollment_id),
                        print::opt(i.description.as_deref()),
                    ]);
                }
                table
            })?;
        }
        ServicesCmd::Documents { id, document } => {
            let id = args::uuid("service id", &id)?;
            let docs = match &document {
                Some(doc) => {
                    services
                        .document(id, args::uuid("document id", doc)?)
                        .await?
                }
                None => services.documents(id).await?,
            };
            if ctx.json {
                return print::json(&docs);
            }
            if document.is_some() {
                for d in &docs.documents {
                    println!("# {} ({}, {})", d.title, d.category, d.mime_type);
                    println!();
                    println!("{}", d.content.as_deref().unwrap_or("(no inline content)"));
                }
                return Ok(());
            }
            let mut table = Table::new(&["ID", "CATEGORY", "TITLE", "TYPE"]);
            for d in &docs.documents {
                table.row(vec![
                    d.id.to_string(),
                    d.category.to_string(),
                    d.title.clone(),
                    d.mime_type.clone(),
                ]);
            }
            table.print();
        }
        ServicesCmd::Usage { id } => {
            let plan = services.usage(args::uuid("service id", &id)?).await?;
            if ctx.json {
                return print::json(&plan);
            }
            println!("enrollment: {}", print::opt(plan.enrollment_mode.as_ref()));
            println!();
            let mut channels = Table::new(&["CHANNEL", "TYPE", "PRICE", "ENROLL", "SECRETS"]);
            for c in &plan.channels {
                let price = match (&c.price, c.free) {
                    (_, true) => "free".to_owned(),
                    (Some(price), _) => format!("{price} {}", c.currency.as_deref().unwrap_or("")),
                    (None, _) => print::opt(c.price_description.as_deref()),
                };
                let secrets: Vec<_> = c.required_secrets.iter().map(|r| r.name.clone()).collect();
                channels.row(vec![
                    c.name.clone(),
                    c.channel_type.clone(),
                    price.trim().to_owned(),
                    if c.requires_enrollment { "yes" } else { "no" }.to_owned(),
                    print::opt((!secrets.is_empty()).then(|| secrets.join(", "))),
                ]);
            }
            channels.print();
            println!();
            let mut interfaces = Table::new(&["INTERFACE", "BASE URL"]);
            for i in &plan.interfaces {
                interfaces.row(vec![i.name.clone(), print::opt(i.base_url.as_deref())]);
            }
            interfaces.print();
            if !plan.parameters.is_empty() {
                println!();
                let mut parameters = Table::new(&["PARAMETER", "REQUIRED", "DESCRIPTION"]);
                for p in &plan.parameters {
                    parameters.row(vec![
                        p.name.clone(),
                        if p.required { "yes" } else { "no" }.to_owned(),
                        print::opt(p.description.as_deref()),
                    ]);
                }
                parameters.print();
            }
        }
        ServicesCmd::Dispatch {
            id,
            path,
            data,
            headers,
            stream,
            interface,
            enrollment,
            method,
        } => {
            let mut request = services
                .dispatch(args::uuid("service id", &id)?)
                .path(path)
                .method(args::method(&method)?);
            if let Some(name) = interface {
                request = request.interface(name);
            }
            if let Some(e) = enrollment {
                request = request.enrollment(args::uuid("enrollment id", &e)?);
            }
            let request = cmd_call::with_body(request, data.as_deref(), &headers, stream)?;
            cmd_call::send(ctx, request, stream).await?;
        }
        ServicesCmd::Schedule {
            id,
            schedule,
            path,
            data,
            headers,
            method,
            name,
            interface,
            enrollment,
        } => {
            let recurrence = schedule.schedule()?.ok_or_else(|| {
                crate::error::CliError::usage("give --every DURATION or --cron EXPRESSION")
            })?;
            let mut request = services
                .schedule(args::uuid("service id", &id)?, recurrence)
                .path(path)
                .method(args::method(&method)?.as_str());
            if let Some(spec) = data {
                request = request.json(args::read_json(&spec)?);
            }
            for text in &headers {
                let (name, value) = args::header(text)?;
                request = request.header(name, value);
            }
            if let Some(name) = name {
                request = request.name(name);
            }
            if let Some(name) = interface {
                request = request.interface(name);
            }
            if let Some(e) = enrollment {
                request = request.enrollment(args::uuid("enrollment id", &e)?);
            }
            let rr = request.send().await?;
            cmd_recurrent::print_one(ctx, &rr)?;
        }
    }
    Ok(())
}
