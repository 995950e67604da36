//! `usvc secrets`: the customer's secret store. Values go in and are never printed.

use crate::print::{self, Table};
use crate::{CliError, CliResult, Ctx};
use clap::Subcommand;
use futures::TryStreamExt;
use std::io::Read;

/// Subcommands of `usvc secrets`.
#[derive(Debug, Subcommand)]
pub enum SecretsCmd {
    /// List your secrets' names and metadata (never their values).
    List,
    /// Show one secret's metadata (never its value).
    Get {
        /// The secret's name, e.g. `OPENAI_API_KEY`.
        name: String,
    },
    /// Create or replace a secret.
    ///
    /// Names must match `^[A-Z_][A-Z0-9_]*$`. Prefer --stdin: a value given as an argument
    /// may end up in your shell history.
    Set {
        /// The secret's name, e.g. `OPENAI_API_KEY`.
        name: String,
        /// The value; omit it and pass --stdin to read it from standard input.
        #[arg(required_unless_present = "stdin", conflicts_with = "stdin")]
        value: Option<String>,
        /// Read the value from standard input (one trailing newline is dropped).
        #[arg(long)]
        stdin: bool,
    },
    /// Delete a secret; this cannot be undone.
    Delete {
        /// The secret's name.
        name: String,
    },
}

/// Runs a `usvc secrets` subcommand.
pub async fn run(ctx: &Ctx, cmd: SecretsCmd) -> CliResult {
    let secrets = ctx.client.secrets();
    match cmd {
        SecretsCmd::List => {
            let list: Vec<_> = secrets.list().stream().try_collect().await?;
            if ctx.json {
                return print::json(&list);
            }
            let mut table = Table::new(&["NAME", "OWNER", "CREATED", "LAST USED"]);
            for s in &list {
                table.row(vec![
                    s.name.to_string(),
                    s.owner_type.to_string(),
                    s.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                    print::opt(s.last_used_at.map(|t| t.format("%Y-%m-%d %H:%M:%S"))),
                ]);
            }
            table.print();
        }
        SecretsCmd::Get { name } => {
            let s = secrets.get(&name).await?;
            if ctx.json {
                return print::json(&s);
            }
            print::fields(&[
                ("name", s.name.to_string()),
                ("id", s.id.to_string()),
                ("owner", s.owner_type.to_string()),
                ("created", s.created_at.to_rfc3339()),
                (
                    "last used",
                    print::opt(s.last_used_at.map(|t| t.to_rfc3339())),
                ),
                ("value", "(never returned by the API)".to_owned()),
            ]);
        }
        SecretsCmd::Set { name, value, stdin } => {
            // Check the name before reading stdin, so a typo fails fast.
            unitysvc::secrets::validate_secret_name(&name)?;
            let value = match (value, stdin) {
                (Some(value), _) => value,
                (None, true) => read_stdin()?,
                (None, false) => return Err(CliError::from("give a value or --stdin")),
            };
            let s = secrets.set(&name, value).send().await?;
            if ctx.json {
                return print::json(&s);
            }
            println!("secret {} set (value not shown)", s.name.as_str());
        }
        SecretsCmd::Delete { name } => {
            let message = secrets.delete(&name).await?;
            if ctx.json {
                return print::json(&serde_json::json!({ "message": message }));
            }
            println!("secret {name} deleted");
        }
    }
    Ok(())
}

fn read_stdin() -> CliResult<String> {
    let mut value = String::new();
    std::io::stdin().read_to_string(&mut value)?;
    if value.ends_with('\n') {
        value.pop();
        if value.ends_with('\r') {
            value.pop();
        }
    }
    Ok(value)
}
