//! `usvc broadcasts`: one gateway call fanned out to several targets.

use crate::args::{self, offset_page, Paging};
use crate::cmd_chains::{name_and_path, yes_no};
use crate::error::CliResult;
use crate::print::{self, Table};
use crate::Ctx;
use clap::{Subcommand, ValueEnum};
use serde_json::json;
use std::time::Duration;
use unitysvc::broadcasts::BroadcastTarget;
use unitysvc::types::BroadcastPublic;

/// Subcommands of `usvc broadcasts`.
#[derive(Debug, Subcommand)]
pub enum BroadcastsCmd {
    /// List your broadcasts.
    List {
        /// List the broadcasts shared with your whole account.
        #[arg(long)]
        shared: bool,
        #[command(flatten)]
        paging: Paging,
    },
    /// Show one broadcast and its targets.
    Get {
        /// The broadcast's id (a UUID).
        id: String,
    },
    /// Create a broadcast.
    Create {
        /// The broadcast's name.
        name: String,
        /// A target, `NAME=GATEWAY_PATH`, e.g. `backup=p/<service id>`; repeat for more.
        #[arg(long = "target", value_name = "NAME=PATH", required = true)]
        targets: Vec<String>,
        /// Wait for every target (sync) or answer at once (async).
        #[arg(long, value_enum)]
        mode: Option<ModeArg>,
        /// How long each target may take, in seconds.
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<u64>,
        /// What the broadcast is for.
        #[arg(long)]
        description: Option<String>,
        /// Create it turned off.
        #[arg(long)]
        disabled: bool,
        /// Share the broadcast with your whole account.
        #[arg(long)]
        shared: bool,
    },
    /// Change a broadcast's settings; only the options given change.
    Update {
        /// The broadcast's id (a UUID).
        id: String,
        /// Wait for every target (sync) or answer at once (async).
        #[arg(long, value_enum)]
        mode: Option<ModeArg>,
        /// How long each target may take, in seconds.
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<u64>,
        /// A new description.
        #[arg(long)]
        description: Option<String>,
        /// Turn the broadcast on.
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        /// Turn the broadcast off.
        #[arg(long)]
        disable: bool,
    },
    /// Delete a broadcast.
    Delete {
        /// The broadcast's id (a UUID).
        id: String,
    },
}

/// How a broadcast answers.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ModeArg {
    /// After every target answered.
    Sync,
    /// At once, while the targets run.
    Async,
}

impl ModeArg {
    fn as_str(self) -> &'static str {
        match self {
            ModeArg::Sync => "sync",
            ModeArg::Async => "async",
        }
    }
}

/// Runs a `usvc broadcasts` subcommand.
pub async fn run(ctx: &Ctx, cmd: BroadcastsCmd) -> CliResult {
    let broadcasts = ctx.client.broadcasts();
    match cmd {
        BroadcastsCmd::List { shared, paging } => {
            let page = offset_page!(broadcasts.list().shared(shared), paging);
            page.print(ctx.json, |items| {
                let mut table = Table::new(&["ID", "NAME", "MODE", "TARGETS", "ENABLED"]);
                for b in items {
                    table.row(vec![
                        b.id.to_string(),
                        b.name.clone(),
                        b.mode.to_string(),
                        b.targets.len().to_string(),
                        yes_no(b.enabled),
                    ]);
                }
                table
            })?;
        }
        BroadcastsCmd::Get { id } => {
            let b = broadcasts.get(args::uuid("broadcast id", &id)?).await?;
            print_one(ctx, &b)?;
        }
        BroadcastsCmd::Create {
            name,
            targets,
            mode,
            timeout,
            description,
            disabled,
            shared,
        } => {
            let mut request = broadcasts.create(name).shared(shared);
            for (order, text) in targets.iter().enumerate() {
                let (target, path) = name_and_path("--target", text)?;
                request =
                    request.target(BroadcastTarget::new(target, path).sort_order(order as i64));
            }
            if let Some(mode) = mode {
                request = request.mode(mode.as_str());
            }
            if let Some(secs) = timeout {
                request = request.target_timeout(Duration::from_secs(secs));
            }
            if let Some(text) = description {
                request = request.description(text);
            }
            if disabled {
                request = request.enabled(false);
            }
            print_one(ctx, &request.send().await?)?;
        }
        BroadcastsCmd::Update {
            id,
            mode,
            timeout,
            description,
            enable,
            disable,
        } => {
            let mut request = broadcasts.update(args::uuid("broadcast id", &id)?);
            if let Some(mode) = mode {
                request = request.mode(mode.as_str());
            }
            if let Some(secs) = timeout {
                request = request.target_timeout(Duration::from_secs(secs));
            }
            if let Some(text) = description {
                request = request.description(text);
            }
            if enable || disable {
                request = request.enabled(enable);
            }
            print_one(ctx, &request.send().await?)?;
        }
        BroadcastsCmd::Delete { id } => {
            let uuid = args::uuid("broadcast id", &id)?;
            broadcasts.delete(uuid).await?;
            if ctx.json {
                return print::json(&json!({"deleted": true, "id": uuid}));
            }
            println!("broadcast {id} deleted");
        }
    }
    Ok(())
}

fn print_one(ctx: &Ctx, b: &BroadcastPublic) -> CliResult {
    if ctx.json {
        return print::json(b);
    }
    print::fields(&[
        ("id", b.id.to_string()),
        ("name", b.name.clone()),
        ("mode", b.mode.to_string()),
        ("enabled", yes_no(b.enabled)),
        ("description", print::opt(b.description.as_deref())),
        ("target timeout", format!("{} ms", b.target_timeout_ms)),
    ]);
    let mut table = Table::new(&["ORDER", "TARGET", "PATH"]);
    for t in &b.targets {
        table.row(vec![
            t.sort_order.to_string(),
            t.name.clone(),
            t.target_path.clone(),
        ]);
    }
    println!();
    table.print();
    Ok(())
}
