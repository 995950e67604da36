//! `usvc aliases`: stable names that route to a gateway path (`a/<name>`).

use crate::args::{self, offset_page, Paging};
use crate::error::{CliError, CliResult, Failure};
use crate::print::{self, Table};
use crate::Ctx;
use clap::Subcommand;
use serde_json::{json, Value};
use unitysvc::types::ServiceAliasPublic;
use uuid::Uuid;

/// Subcommands of `usvc aliases`.
#[derive(Debug, Subcommand)]
pub enum AliasesCmd {
    /// List your aliases.
    List {
        /// Keep only aliases with this name.
        #[arg(long)]
        name: Option<String>,
        /// Include aliases that no longer route.
        #[arg(long)]
        include_deactivated: bool,
        /// List the aliases shared with your whole account.
        #[arg(long)]
        shared: bool,
        #[command(flatten)]
        paging: Paging,
    },
    /// Show one alias.
    Get {
        /// The alias's id, or its name (the routing one when several share it).
        alias: String,
    },
    /// Create an alias that routes `a/<name>` to a gateway path.
    Create {
        /// The alias's name, e.g. `fast`.
        name: String,
        /// Where it routes, e.g. `p/<service id>` or `g/llm`.
        target: String,
        /// What the alias is for.
        #[arg(long)]
        description: Option<String>,
        /// Route only requests with this routing key, a JSON object.
        #[arg(long)]
        routing_key: Option<String>,
        /// Replace the routing key of requests passing through, a JSON object.
        #[arg(long)]
        routing_key_override: Option<String>,
        /// Create it as a standby that does not route until switched on.
        #[arg(long)]
        standby: bool,
        /// Share the alias with your whole account.
        #[arg(long)]
        shared: bool,
    },
    /// Change an alias; only the options given change. Its name cannot change.
    Update {
        /// The alias's id, or its name (the routing one when several share it).
        alias: String,
        /// Point the alias at another gateway path.
        #[arg(long)]
        target: Option<String>,
        /// A new description.
        #[arg(long)]
        description: Option<String>,
        /// Route only requests with this routing key, a JSON object.
        #[arg(long)]
        routing_key: Option<String>,
        /// Replace the routing key of requests passing through, a JSON object.
        #[arg(long)]
        routing_key_override: Option<String>,
    },
    /// Make an alias the one that routes its name (or stop it routing with --off).
    ///
    /// Switching one on demotes the sibling that routed the same name and routing key.
    Switch {
        /// The alias's id, an unambiguous id prefix, or its name.
        alias: String,
        /// Stop the alias routing instead.
        #[arg(long)]
        off: bool,
        /// Among aliases of that name, pick the one whose target contains this.
        #[arg(long)]
        target: Option<String>,
        /// Among aliases of that name, pick the one whose routing key contains this.
        #[arg(long)]
        routing_key: Option<String>,
    },
    /// Delete an alias.
    Delete {
        /// The alias's id, or its name (the routing one when several share it).
        alias: String,
    },
}

/// Runs a `usvc aliases` subcommand.
pub async fn run(ctx: &Ctx, cmd: AliasesCmd) -> CliResult {
    let aliases = ctx.client.aliases();
    match cmd {
        AliasesCmd::List {
            name,
            include_deactivated,
            shared,
            paging,
        } => {
            let mut request = aliases
                .list()
                .include_deactivated(include_deactivated)
                .shared(shared);
            if let Some(name) = name {
                request = request.name(name);
            }
            let page = offset_page!(request, paging);
            page.print(ctx.json, |items| {
                let mut table = Table::new(&["ID", "NAME", "TARGET", "ROUTING", "ROUTING KEY"]);
                for a in items {
                    table.row(vec![
                        a.id.to_string(),
                        a.name.clone(),
                        a.target_path.clone(),
                        if a.is_routing { "yes" } else { "no" }.to_owned(),
                        print::opt(
                            a.request_routing_key
                                .as_ref()
                                .map(|k| Value::Object(k.clone())),
                        ),
                    ]);
                }
                table
            })?;
        }
        AliasesCmd::Get { alias } => {
            let id = alias_id(ctx, &alias).await?;
            print_one(ctx, &aliases.get(id).await?)?;
        }
        AliasesCmd::Create {
            name,
            target,
            description,
            routing_key,
            routing_key_override,
            standby,
            shared,
        } => {
            let mut request = aliases.create(name, target).shared(shared);
            if standby {
                request = request.is_routing(false);
            }
            if let Some(text) = description {
                request = request.description(text);
            }
            if let Some(text) = routing_key {
                request = request.routing_key(args::json_object("--routing-key", &text)?);
            }
            if let Some(text) = routing_key_override {
                request = request
                    .routing_key_override(args::json_object("--routing-key-override", &text)?);
            }
            print_one(ctx, &request.send().await?)?;
        }
        AliasesCmd::Update {
            alias,
            target,
            description,
            routing_key,
            routing_key_override,
        } => {
            let id = alias_id(ctx, &alias).await?;
            let mut request = aliases.update(id);
            if let Some(text) = target {
                request = request.target_path(text);
            }
            if let Some(text) = description {
                request = request.description(text);
            }
            if let Some(text) = routing_key {
                request = request.routing_key(args::json_object("--routing-key", &text)?);
            }
            if let Some(text) = routing_key_override {
                request = request
                    .routing_key_override(args::json_object("--routing-key-override", &text)?);
            }
            print_one(ctx, &request.send().await?)?;
        }
        AliasesCmd::Switch {
            alias,
            off,
            target,
            routing_key,
        } => {
            let mut request = aliases.switch_routing(&alias).on(!off);
            if let Some(text) = target {
                request = request.target(text);
            }
            if let Some(text) = routing_key {
                request = request.routing_key(text);
            }
            let switched = request.send().await?;
            if ctx.json {
                return print::json(&switched);
            }
            let a = &switched.alias;
            println!(
                "alias {} ({}) {} routing to {}",
                a.name,
                a.id,
                if a.is_routing { "is now" } else { "stopped" },
                a.target_path
            );
            if let Some(demoted) = switched.demoted_alias_id {
                println!("alias {demoted} no longer routes {}", a.name);
            }
        }
        AliasesCmd::Delete { alias } => {
            let id = alias_id(ctx, &alias).await?;
            aliases.delete(id).await?;
            if ctx.json {
                return print::json(&json!({"deleted": true, "id": id}));
            }
            println!("alias {alias} deleted");
        }
    }
    Ok(())
}

fn print_one(ctx: &Ctx, a: &ServiceAliasPublic) -> CliResult {
    if ctx.json {
        return print::json(a);
    }
    print::fields(&[
        ("id", a.id.to_string()),
        ("name", a.name.clone()),
        ("target", a.target_path.clone()),
        (
            "routing",
            if a.is_routing { "yes" } else { "no" }.to_owned(),
        ),
        ("description", print::opt(a.description.as_deref())),
        (
            "routing key",
            print::opt(
                a.request_routing_key
                    .as_ref()
                    .map(|k| Value::Object(k.clone())),
            ),
        ),
        ("gateway path", format!("a/{}", a.name)),
    ]);
    Ok(())
}

/// An alias's id: the argument when it is a UUID, else the id of the one alias with that
/// name.
async fn alias_id(ctx: &Ctx, alias: &str) -> CliResult<Uuid> {
    if let Ok(id) = alias.parse() {
        return Ok(id);
    }
    let page = ctx
        .client
        .aliases()
        .list()
        .name(alias)
        .include_deactivated(true)
        .send()
        .await?;
    let named: Vec<_> = page.items.into_iter().filter(|a| a.name == alias).collect();
    // Of several aliases with one name, the one routing it is the one people mean.
    let routing: Vec<_> = named.iter().filter(|a| a.is_routing).collect();
    if named.len() > 1 && routing.len() == 1 {
        return Ok(routing[0].id);
    }
    let mut matches = named.into_iter();
    match (matches.next(), matches.next()) {
        (Some(a), None) => Ok(a.id),
        (None, _) => Err(CliError::new(
            Failure::NotFound,
            format!("no alias is named {alias:?}"),
        )),
        (Some(_), Some(_)) => Err(CliError::invalid(format!(
            "several aliases are named {alias:?}; give the id (see `usvc aliases list --name {alias}`)"
        ))),
    }
}
