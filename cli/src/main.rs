//! `usvc`: the command-line tool of the UnitySVC Rust SDK.
//!
//! Every subcommand is a thin layer over the `unitysvc` crate; `usvc tour` walks through the
//! SDK against an embedded sandbox, with no API key and no network.

mod cmd_enrollments;
mod cmd_groups;
mod cmd_logs;
mod cmd_sandbox;
mod cmd_secrets;
mod cmd_services;
mod cmd_tour;
mod print;

use clap::{Parser, Subcommand};
use std::fmt;
use std::process::ExitCode;
use unitysvc::Client;
use unitysvc_sandbox::Sandbox;

/// Command-line tool for UnitySVC: browse the catalog, enroll, manage secrets, call
/// services through the gateway, and tour the SDK against a local sandbox.
#[derive(Debug, Parser)]
#[command(name = "usvc", version, propagate_version = true)]
struct Cli {
    /// Customer API key (`svcpass_…`); never printed.
    #[arg(long, global = true, env = "UNITYSVC_API_KEY", hide_env_values = true)]
    api_key: Option<String>,

    /// Control-plane URL, e.g. `https://api.unitysvc.com/v1`.
    #[arg(long, global = true, env = "UNITYSVC_API_URL")]
    base_url: Option<String>,

    /// Start an embedded sandbox for this one command and point the client at it (ignores
    /// --api-key and --base-url); run `usvc sandbox` for one that keeps its state.
    #[arg(long, global = true)]
    sandbox: bool,

    /// Print results as JSON instead of tables.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Walk through the SDK step by step against an embedded sandbox (no key, no network).
    ///
    /// With --api-key or --base-url (or their environment variables) the tour runs against
    /// that platform instead.
    Tour(cmd_tour::TourArgs),
    /// Run a local sandbox in the foreground until Ctrl-C.
    Sandbox(cmd_sandbox::SandboxArgs),
    /// Browse service groups and their services.
    #[command(subcommand)]
    Groups(cmd_groups::GroupsCmd),
    /// Inspect services and call them through the gateway.
    #[command(subcommand)]
    Services(cmd_services::ServicesCmd),
    /// Manage the customer's secrets; values are never printed.
    #[command(subcommand)]
    Secrets(cmd_secrets::SecretsCmd),
    /// List, create and cancel enrollments.
    #[command(subcommand)]
    Enrollments(cmd_enrollments::EnrollmentsCmd),
    /// Turn request logging on or off and list logged calls.
    #[command(subcommand)]
    Logs(cmd_logs::LogsCmd),
}

/// A failure to report as `error: <message>`.
#[derive(Debug)]
pub struct CliError(String);

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<unitysvc::Error> for CliError {
    fn from(e: unitysvc::Error) -> Self {
        CliError(e.to_string())
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError(e.to_string())
    }
}

impl From<serde_json::Error> for CliError {
    fn from(e: serde_json::Error) -> Self {
        CliError(format!("invalid JSON: {e}"))
    }
}

impl From<unitysvc::wrappers::WrapperError> for CliError {
    fn from(e: unitysvc::wrappers::WrapperError) -> Self {
        CliError(e.to_string())
    }
}

impl From<String> for CliError {
    fn from(s: String) -> Self {
        CliError(s)
    }
}

impl From<&str> for CliError {
    fn from(s: &str) -> Self {
        CliError(s.to_owned())
    }
}

/// The result type of every command.
pub type CliResult<T = ()> = Result<T, CliError>;

/// What a command runs with: the client, the output mode, and the sandbox it may own.
pub struct Ctx {
    /// The configured client.
    pub client: Client,
    /// Whether to print JSON.
    pub json: bool,
    /// The embedded sandbox, kept alive for the command's duration.
    pub sandbox: Option<Sandbox>,
}

impl Ctx {
    /// A client pointed at a freshly started embedded sandbox.
    async fn with_sandbox(json: bool) -> CliResult<Ctx> {
        let sandbox = Sandbox::start()
            .await
            .map_err(|e| CliError(format!("cannot start the embedded sandbox: {e}")))?;
        let client = Client::builder()
            .base_url(sandbox.base_url())
            .api_base_url(sandbox.gateway_url())
            .api_key(sandbox.api_key())
            .ignore_env()
            .build()?;
        Ok(Ctx {
            client,
            json,
            sandbox: Some(sandbox),
        })
    }

    /// A client from the flags, falling back to the environment and the defaults.
    fn from_flags(cli: &Cli) -> CliResult<Ctx> {
        let mut builder = Client::builder();
        if let Some(key) = &cli.api_key {
            builder = builder.api_key(key);
        }
        if let Some(url) = &cli.base_url {
            builder = builder.base_url(url);
        }
        Ok(Ctx {
            client: builder.build()?,
            json: cli.json,
            sandbox: None,
        })
    }
}

async fn run(cli: Cli) -> CliResult {
    if let Command::Sandbox(args) = &cli.command {
        return cmd_sandbox::run(args).await;
    }
    let remote = cli.api_key.is_some() || cli.base_url.is_some();
    let use_sandbox = cli.sandbox || (matches!(cli.command, Command::Tour(_)) && !remote);
    let ctx = if use_sandbox {
        Ctx::with_sandbox(cli.json).await?
    } else {
        Ctx::from_flags(&cli)?
    };
    let result = match cli.command {
        Command::Tour(args) => cmd_tour::run(&ctx, &args).await,
        Command::Groups(cmd) => cmd_groups::run(&ctx, cmd).await,
        Command::Services(cmd) => cmd_services::run(&ctx, cmd).await,
        Command::Secrets(cmd) => cmd_secrets::run(&ctx, cmd).await,
        Command::Enrollments(cmd) => cmd_enrollments::run(&ctx, cmd).await,
        Command::Logs(cmd) => cmd_logs::run(&ctx, cmd).await,
        Command::Sandbox(_) => unreachable!("handled above"),
    };
    if let Some(sandbox) = ctx.sandbox {
        sandbox.shutdown().await;
    }
    result
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
