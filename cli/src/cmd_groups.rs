//! `usvc groups`: service groups and the services in them.

use crate::print::{self, Table};
use crate::{CliResult, Ctx};
use clap::Subcommand;
use futures::TryStreamExt;
use unitysvc::Service;

/// Subcommands of `usvc groups`.
#[derive(Debug, Subcommand)]
pub enum GroupsCmd {
    /// List the groups you can see (platform groups and your own collections).
    List,
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
        /// Fetch every page instead of one.
        #[arg(long)]
        all: bool,
        /// Services per page (1–200).
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Continue from this cursor (printed after a page that has more).
        #[arg(long, conflicts_with = "all")]
        cursor: Option<String>,
    },
}

/// Runs a `usvc groups` subcommand.
pub async fn run(ctx: &Ctx, cmd: GroupsCmd) -> CliResult {
    let groups = ctx.client.groups();
    match cmd {
        GroupsCmd::List => {
            let list = groups.list().send().await?;
            if ctx.json {
                let records: Vec<_> = list.iter().map(|g| g.record()).collect();
                return print::json(&records);
            }
            let mut table = Table::new(&["NAME", "DISPLAY NAME", "TYPE", "SERVICES", "OWNER"]);
            for g in &list {
                table.row(vec![
                    g.name.clone(),
                    print::opt(g.display_name.as_deref()),
                    print::opt(g.group_type.as_ref()),
                    g.member_count.to_string(),
                    g.owner_type.clone(),
                ]);
            }
            table.print();
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
            all,
            limit,
            cursor,
        } => {
            let (services, next) = if all {
                let mut request = groups.services(&name).limit(u64::from(limit));
                if let Some(search) = search {
                    request = request.search(search);
                }
                let items: Vec<Service> = request.stream().try_collect().await?;
                (items, None)
            } else {
                let mut request = groups.services(&name).limit(u64::from(limit));
                if let Some(search) = search {
                    request = request.search(search);
                }
                if let Some(cursor) = cursor {
                    request = request.cursor(cursor);
                }
                let page = request.send().await?;
                let next = page.next_cursor.filter(|_| page.has_more);
                (page.items, next)
            };
            if ctx.json {
                let records: Vec<_> = services.iter().map(|s| s.record()).collect();
                print::json(&records)?;
            } else {
                print_services(&services);
            }
            if let Some(cursor) = next {
                eprintln!("more services: pass --cursor {cursor} (or --all)");
            }
        }
    }
    Ok(())
}

fn print_services(services: &[Service]) {
    let mut table = Table::new(&["ID", "NAME", "DISPLAY NAME", "TYPE"]);
    for s in services {
        table.row(vec![
            s.id.to_string(),
            s.name.clone(),
            print::opt(s.display_name.as_deref()),
            print::opt(s.service_type.as_deref()),
        ]);
    }
    table.print();
}
