//! `usvc chains`: gateway calls run one after another, each step deciding what comes next.

use crate::args::{self, offset_page, Paging};
use crate::error::{CliError, CliResult};
use crate::print::{self, Table};
use crate::Ctx;
use clap::Subcommand;
use serde_json::json;
use std::time::Duration;
use unitysvc::chains::ChainStep;
use unitysvc::types::ChainPublic;

/// Subcommands of `usvc chains`.
#[derive(Debug, Subcommand)]
pub enum ChainsCmd {
    /// List your chains.
    List {
        /// List the chains shared with your whole account.
        #[arg(long)]
        shared: bool,
        #[command(flatten)]
        paging: Paging,
    },
    /// Show one chain and its steps.
    Get {
        /// The chain's id (a UUID).
        id: String,
    },
    /// Create a chain; steps run in the order given.
    Create {
        /// The chain's name.
        name: String,
        /// A step, `NAME=GATEWAY_PATH`, e.g. `draft=g/llm/chat/completions`; repeat in order.
        #[arg(long = "step", value_name = "NAME=PATH", required = true)]
        steps: Vec<String>,
        /// What the chain is for.
        #[arg(long)]
        description: Option<String>,
        /// How long each step may take, in seconds.
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<u64>,
        /// Create it turned off.
        #[arg(long)]
        disabled: bool,
        /// Share the chain with your whole account.
        #[arg(long)]
        shared: bool,
    },
    /// Change a chain's settings; only the options given change.
    Update {
        /// The chain's id (a UUID).
        id: String,
        /// A new description.
        #[arg(long)]
        description: Option<String>,
        /// How long each step may take, in seconds.
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<u64>,
        /// Turn the chain on.
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        /// Turn the chain off.
        #[arg(long)]
        disable: bool,
    },
    /// Delete a chain.
    Delete {
        /// The chain's id (a UUID).
        id: String,
    },
}

/// Splits `NAME=PATH`.
pub fn name_and_path(flag: &str, text: &str) -> CliResult<(String, String)> {
    match text.split_once('=') {
        Some((name, path)) if !name.is_empty() && !path.is_empty() => {
            Ok((name.to_owned(), path.to_owned()))
        }
        _ => Err(CliError::invalid(format!(
            "{flag} {text:?} must look like NAME=GATEWAY_PATH"
        ))),
    }
}

/// Runs a `usvc chains` subcommand.
pub async fn run(ctx: &Ctx, cmd: ChainsCmd) -> CliResult {
    let chains = ctx.client.chains();
    match cmd {
        ChainsCmd::List { shared, paging } => {
            let page = offset_page!(chains.list().shared(shared), paging);
            page.print(ctx.json, |items| {
                let mut table = Table::new(&["ID", "NAME", "STEPS", "ENABLED"]);
                for c in items {
                    table.row(vec![
                        c.id.to_string(),
                        c.name.clone(),
                        c.steps.len().to_string(),
                        yes_no(c.enabled),
                    ]);
                }
                table
            })?;
        }
        ChainsCmd::Get { id } => {
            let chain = chains.get(args::uuid("chain id", &id)?).await?;
            print_one(ctx, &chain)?;
        }
        ChainsCmd::Create {
            name,
            steps,
            description,
            timeout,
            disabled,
            shared,
        } => {
            let mut request = chains.create(name).shared(shared);
            for (order, text) in steps.iter().enumerate() {
                let (step, path) = name_and_path("--step", text)?;
                request = request.step(ChainStep::new(step, path, order as i64));
            }
            if let Some(text) = description {
                request = request.description(text);
            }
            if let Some(secs) = timeout {
                request = request.default_timeout(Duration::from_secs(secs));
            }
            if disabled {
                request = request.enabled(false);
            }
            print_one(ctx, &request.send().await?)?;
        }
        ChainsCmd::Update {
            id,
            description,
            timeout,
            enable,
            disable,
        } => {
            let mut request = chains.update(args::uuid("chain id", &id)?);
            if let Some(text) = description {
                request = request.description(text);
            }
            if let Some(secs) = timeout {
                request = request.default_timeout(Duration::from_secs(secs));
            }
            if enable || disable {
                request = request.enabled(enable);
            }
            print_one(ctx, &request.send().await?)?;
        }
        ChainsCmd::Delete { id } => {
            let uuid = args::uuid("chain id", &id)?;
            chains.delete(uuid).await?;
            if ctx.json {
                return print::json(&json!({"deleted": true, "id": uuid}));
            }
            println!("chain {id} deleted");
        }
    }
    Ok(())
}

fn print_one(ctx: &Ctx, c: &ChainPublic) -> CliResult {
    if ctx.json {
        return print::json(c);
    }
    print::fields(&[
        ("id", c.id.to_string()),
        ("name", c.name.clone()),
        ("enabled", yes_no(c.enabled)),
        ("description", print::opt(c.description.as_deref())),
        ("step timeout", format!("{} ms", c.default_timeout_ms)),
    ]);
    let mut table = Table::new(&["ORDER", "STEP", "TARGET", "ON SUCCESS", "ON FAILURE"]);
    for s in &c.steps {
        table.row(vec![
            s.sort_order.to_string(),
            s.name.clone(),
            s.target_path.clone(),
            s.on_success.clone(),
            s.on_failure.clone(),
        ]);
    }
    println!();
    table.print();
    Ok(())
}

/// `yes` or `no`.
pub fn yes_no(flag: bool) -> String {
    if flag { "yes" } else { "no" }.to_owned()
}
