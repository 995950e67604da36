//! `usvc groups`: platform groups, the services in them, and your own collections.

use crate::args::{self, Paging};
use crate::error::CliResult;
use crate::print::{self, Page, Table};
use crate::Ctx;
use clap::{Subcommand, ValueEnum};
use futures::TryStreamExt;
use serde_json::json;
use unitysvc::groups::Owner;
use uuid::Uuid;

/// Subcommands of `usvc groups`.
#[derive(Debug, Subcommand)]
pub enum GroupsCmd {
    /// List the groups you can see (platform groups and your own collections).
    List {
        /// Whose groups to list.
        #[arg(long, value_enum, default_value = "all")]
        owner: OwnerArg,
        /// Keep only groups whose name contains this text.
        #[arg(long)]
        name: Option<String>,
    },
    /// Show one group by name.
    Get {
        /// The group's name, e.g. `llm`.
        name: String,
    },
    /// List a group's services, one page at a time or all of them.
    Services {
        /// The group's name, e.g. `llm`.
        name: String,
        /// Keep only services matching this text.
        #[arg(long)]
        search: Option<String>,
        #[command(flatten)]
        paging: Paging,
    },
    /// Create a collection of your own.
    Create {
        /// The collection's name (unique among yours), e.g. `my-picks`.
        name: String,
        /// A name for people.
        #[arg(long)]
        display_name: Option<String>,
        /// What the collection is for.
        #[arg(long)]
        description: Option<String>,
    },
    /// Change one of your collections; only the options given change.
    Update {
        /// The collection's id or name.
        group: String,
        /// A new name for people.
        #[arg(long)]
        display_name: Option<String>,
        /// A new description.
        #[arg(long)]
        description: Option<String>,
        /// Turn the collection on.
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        /// Turn the collection off.
        #[arg(long)]
        disable: bool,
    },
    /// Delete one of your collections; the services stay.
    Delete {
        /// The collection's id or name.
        group: String,
    },
    /// List the services in one of your collections.
    Members {
        /// The collection's id or name.
        group: String,
    },
    /// Add a service to one of your collections.
    AddMember {
        /// The collection's id or name.
        group: String,
        /// The service's id (a UUID).
        service_id: String,
        /// Routing key for this member, a JSON object, e.g. '{"tier": "gold"}'.
        #[arg(long)]
        routing_key: Option<String>,
        /// Position in the collection (lower first).
        #[arg(long)]
        sort_order: Option<i64>,
    },
    /// Remove a service from one of your collections.
    RemoveMember {
        /// The collection's id or name.
        group: String,
        /// The service's id (a UUID).
        service_id: String,
    },
}

/// Whose groups `usvc groups list` shows.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OwnerArg {
    /// Platform groups and your collections.
    All,
    /// Platform groups only.
    System,
    /// Your collections only.
    Own,
}

/// Runs a `usvc groups` subcommand.
pub async fn run(ctx: &Ctx, cmd: GroupsCmd) -> CliResult {
    let groups = ctx.client.groups();
    match cmd {
        GroupsCmd::List { owner, name } => {
            let mut request = groups.list().owner(match owner {
                OwnerArg::All => Owner::All,
                OwnerArg::System => Owner::System,
                OwnerArg::Own => Owner::Own,
            });
            if let Some(name) = name {
                request = request.name(name);
            }
            let list = request.send().await?;
            let page = Page::complete(list.iter().map(|g| g.record().clone()).collect());
            page.print(ctx.json, |items| {
                let mut table = Table::new(&["NAME", "DISPLAY NAME", "TYPE", "SERVICES", "OWNER"]);
                for g in items {
                    table.row(vec![
                        g.name.clone(),
                        print::opt(g.display_name.as_deref()),
                        print::opt(g.group_type.as_ref()),
                        g.member_count.to_string(),
                        g.owner_type.clone(),
                    ]);
                }
                table
            })?;
        }
        GroupsCmd::Get { name } => {
            let g = groups.get(&name).await?;
            if ctx.json {
                return print::json(g.record());
            }
            print::fields(&[
                ("name", g.name.clone()),
                ("id", g.id.to_string()),
                ("display name", print::opt(g.display_name.as_deref())),
                ("description", print::opt(g.description.as_deref())),
                ("type", print::opt(g.group_type.as_ref())),
                ("owner", g.owner_type.clone()),
                ("services", g.member_count.to_string()),
                (
                    "interface",
                    print::opt(g.interface.as_ref().and_then(|i| i.base_url.as_deref())),
                ),
            ]);
        }
        GroupsCmd::Services {
            name,
            search,
            paging,
        } => {
            let mut request = groups.services(&name).limit(paging.limit);
            if let Some(search) = search {
                request = request.search(search);
            }
            let page = if paging.all {
                Page::complete(request.stream().try_collect().await?)
            } else {
                if let Some(cursor) = paging.cursor {
                    request = request.cursor(cursor);
                }
                Page::from_cursor(request.send().await?)
            };
            let page = page.map(|s| s.into_record());
            page.print(ctx.json, |items| {
                let mut table = Table::new(&["ID", "NAME", "DISPLAY NAME", "TYPE"]);
                for s in items {
                    table.row(vec![
                        s.id.to_string(),
                        s.name.clone(),
                        print::opt(s.display_name.as_deref()),
                        print::opt(s.service_type.as_deref()),
                    ]);
                }
                table
            })?;
        }
        GroupsCmd::Create {
            name,
            display_name,
            description,
        } => {
            let mut request = groups.create(&name);
            if let Some(text) = display_name {
                request = request.display_name(text);
            }
            if let Some(text) = description {
                request = request.description(text);
            }
            let g = request.send().await?;
            if ctx.json {
                return print::json(g.record());
            }
            println!("collection {} created (id {})", g.name, g.id);
        }
        GroupsCmd::Update {
            group,
            display_name,
            description,
            enable,
            disable,
        } => {
            let id = group_id(ctx, &group).await?;
            let mut request = groups.update(id);
            if let Some(text) = display_name {
                request = request.display_name(text);
            }
            if let Some(text) = description {
                request = request.description(text);
            }
            if enable || disable {
                request = request.enabled(enable);
            }
            let g = request.send().await?;
            if ctx.json {
                return print::json(&g);
            }
            println!(
                "collection {} updated ({})",
                g.name,
                if g.enabled { "enabled" } else { "disabled" }
            );
        }
        GroupsCmd::Delete { group } => {
            let id = group_id(ctx, &group).await?;
            groups.delete(id).await?;
            if ctx.json {
                return print::json(&json!({"deleted": true, "id": id}));
            }
            println!("collection {group} deleted");
        }
        GroupsCmd::Members { group } => {
            let id = group_id(ctx, &group).await?;
            let members = groups.members(id).send().await?;
            Page::complete(members).print(ctx.json, |items| {
                let mut table = Table::new(&["SERVICE", "ORDER", "ROUTING KEY"]);
                for m in items {
                    table.row(vec![
                        m.service_id.to_string(),
                        m.sort_order.to_string(),
                        print::opt(
                            m.routing_key
                                .as_ref()
                                .map(|k| serde_json::Value::Object(k.clone())),
                        ),
                    ]);
                }
                table
            })?;
        }
        GroupsCmd::AddMember {
            group,
            service_id,
            routing_key,
            sort_order,
        } => {
            let id = group_id(ctx, &group).await?;
            let service = args::uuid("service id", &service_id)?;
            let mut request = groups.add_member(id, service);
            if let Some(text) = routing_key {
                request = request.routing_key(args::json_object("--routing-key", &text)?);
            }
            if let Some(order) = sort_order {
                request = request.sort_order(order);
            }
            let member = request.send().await?;
            if ctx.json {
                return print::json(&member);
            }
            println!("service {} added to {group}", member.service_id);
        }
        GroupsCmd::RemoveMember { group, service_id } => {
            let id = group_id(ctx, &group).await?;
            let service = args::uuid("service id", &service_id)?;
            groups.remove_member(id, service).await?;
            if ctx.json {
                return print::json(
                    &json!({"removed": true, "group_id": id, "service_id": service}),
                );
            }
            println!("service {service} removed from {group}");
        }
    }
    Ok(())
}

/// A collection's id: the argument itself when it is a UUID, else the id of the group of
/// that name.
async fn group_id(ctx: &Ctx, group: &str) -> CliResult<Uuid> {
    if let Ok(id) = group.parse() {
        return Ok(id);
    }
    Ok(ctx.client.groups().get(group).await?.id)
}
