//! `usvc secrets`: the customer's secret store. Values go in and are never printed.

use crate::args::{offset_page, Paging};
use crate::error::{CliError, CliResult};
use crate::print::{self, Table};
use crate::Ctx;
use clap::Subcommand;
use serde_json::json;
use std::io::{IsTerminal, Read};
use unitysvc::types::SecretPublic;

/// Subcommands of `usvc secrets`.
#[derive(Debug, Subcommand)]
pub enum SecretsCmd {
    /// List your secrets' names and metadata (never their values).
    List {
        #[command(flatten)]
        paging: Paging,
    },
    /// Show one secret's metadata (never its value).
    Get {
        /// The secret's name, e.g. `OPENAI_API_KEY`.
        name: String,
    },
    /// Create or replace a secret.
    ///
    /// The value is read from standard input when it is not a terminal (one trailing
    /// newline is dropped), else asked for without echo. Names must match
    /// `^[A-Z_][A-Z0-9_]*$`.
    Set {
        /// The secret's name, e.g. `OPENAI_API_KEY`.
        name: String,
        /// The value itself; it ends up in your shell history, so prefer stdin or the prompt.
        #[arg(long)]
        value: Option<String>,
        /// What the secret is for.
        #[arg(long)]
        description: Option<String>,
        /// Share the secret with your whole account.
        #[arg(long)]
        shared: bool,
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
        SecretsCmd::List { paging } => {
            let page = offset_page!(secrets.list(), paging).map(without_value);
            page.print(ctx.json, |items| {
                let mut table = Table::new(&["NAME", "OWNER", "CREATED", "LAST USED"]);
                for s in items {
                    table.row(vec![
                        s.name.to_string(),
                        s.owner_type.to_string(),
                        s.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                        print::opt(s.last_used_at.map(|t| t.format("%Y-%m-%d %H:%M:%S"))),
                    ]);
                }
                table
            })?;
        }
        SecretsCmd::Get { name } => {
            let s = without_value(secrets.get(&name).await?);
            if ctx.json {
                return print::json(&s);
            }
            print::fields(&[
                ("name", s.name.to_string()),
                ("id", s.id.to_string()),
                ("owner", s.owner_type.to_string()),
                ("description", print::opt(s.description.as_deref())),
                ("created", s.created_at.to_rfc3339()),
                (
                    "last used",
                    print::opt(s.last_used_at.map(|t| t.to_rfc3339())),
                ),
                ("value", "(never returned by the API)".to_owned()),
            ]);
        }
        SecretsCmd::Set {
            name,
            value,
            description,
            shared,
        } => {
            // Check the name before asking for the value, so a typo fails fast.
            unitysvc::secrets::validate_secret_name(&name)?;
            let value = match value {
                Some(value) => {
                    print::warn(
                        ctx.json,
                        "a value given with --value stays in your shell history; \
                         pipe it on stdin or let usvc prompt for it instead",
                    );
                    value
                }
                None => read_value(&name)?,
            };
            if value.is_empty() {
                return Err(CliError::invalid("the secret's value is empty"));
            }
            let mut request = secrets.set(&name, value).shared(shared);
            if let Some(text) = description {
                request = request.description(text);
            }
            let s = without_value(request.send().await?);
            if ctx.json {
                return print::json(&s);
            }
            println!("secret {} set (value not shown)", s.name.as_str());
        }
        SecretsCmd::Delete { name } => {
            secrets.delete(&name).await?;
            if ctx.json {
                return print::json(&json!({ "deleted": true, "name": name }));
            }
            println!("secret {name} deleted");
        }
    }
    Ok(())
}

/// The record with any value a server echoed dropped, so no output path can show it.
fn without_value(mut secret: SecretPublic) -> SecretPublic {
    secret.value = None;
    secret
}

/// The value from standard input, or from a no-echo prompt when stdin is a terminal.
fn read_value(name: &str) -> CliResult<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return rpassword::prompt_password(format!("value for {name} (not shown): "))
            .map_err(|e| CliError::invalid(format!("cannot read the value: {e}")));
    }
    let mut value = String::new();
    stdin.lock().read_to_string(&mut value)?;
    if value.ends_with('\n') {
        value.pop();
        if value.ends_with('\r') {
            value.pop();
        }
    }
    Ok(value)
}
