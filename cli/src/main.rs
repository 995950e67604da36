//! `usvc`: the command-line tool of the UnitySVC Rust SDK.
//!
//! Every subcommand is a thin layer over the `unitysvc` crate; `usvc tour` walks through the
//! SDK against an embedded sandbox, with no API key and no network.

mod args;
mod cmd_aliases;
mod cmd_broadcasts;
mod cmd_call;
mod cmd_chains;
mod cmd_chat;
mod cmd_completions;
mod cmd_enrollments;
mod cmd_files;
mod cmd_groups;
mod cmd_logs;
mod cmd_recurrent;
mod cmd_resolve;
mod cmd_sandbox;
mod cmd_secrets;
mod cmd_services;
mod cmd_tour;
mod error;
mod print;

use clap::{Parser, Subcommand};
use error::{CliError, CliResult};
use std::process::ExitCode;
use unitysvc::Client;
use unitysvc_sandbox::Sandbox;

/// Command-line tool for UnitySVC: browse the catalog, enroll, manage secrets, aliases and
/// recurrent requests, call services through the gateway, and tour the SDK against a local
/// sandbox.
#[derive(Debug, Parser)]
#[command(
    name = "usvc",
    version,
    propagate_version = true,
    after_help = error::EXIT_CODES
)]
pub struct Cli {
    /// Customer API key (`svcpass_…`); never printed.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "UNITYSVC_API_KEY",
        hide_env_values = true
    )]
    api_key: Option<String>,

    /// Control-plane URL, e.g. `https://api.unitysvc.com/v1`.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "UNITYSVC_API_URL",
        hide_env_values = true
    )]
    base_url: Option<String>,

    /// Gateway URL for `call` and dispatch; defaults to the control-plane URL without `/v1`.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "UNITYSVC_API_BASE_URL",
        hide_env_values = true
    )]
    api_base_url: Option<String>,

    /// Start an embedded sandbox for this one command and point the client at it (ignores
    /// the key and URLs); run `usvc sandbox` for one that keeps its state.
    #[arg(long, global = true, help_heading = "Global options")]
    sandbox: bool,

    /// Print one JSON document per command (NDJSON for streams, JSON errors on stderr).
    #[arg(long, global = true, help_heading = "Global options")]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Walk through the SDK step by step against an embedded sandbox (no key, no network).
    ///
    /// The tour ignores --api-key, --base-url and their environment variables unless given
    /// --remote; then it runs against that platform and removes what it created.
    Tour(cmd_tour::TourArgs),
    /// Run a local sandbox in the foreground until Ctrl-C.
    Sandbox(cmd_sandbox::SandboxArgs),
    /// Browse service groups; create and fill your own collections.
    #[command(subcommand)]
    Groups(cmd_groups::GroupsCmd),
    /// Inspect services, call them, and schedule recurring calls.
    #[command(subcommand)]
    Services(cmd_services::ServicesCmd),
    /// List, create and cancel enrollments.
    #[command(subcommand)]
    Enrollments(cmd_enrollments::EnrollmentsCmd),
    /// Manage your secrets; values are never printed.
    #[command(subcommand)]
    Secrets(cmd_secrets::SecretsCmd),
    /// Stable names that route to a gateway path.
    #[command(subcommand)]
    Aliases(cmd_aliases::AliasesCmd),
    /// Requests the platform sends on a schedule.
    #[command(subcommand)]
    Recurrent(cmd_recurrent::RecurrentCmd),
    /// Turn request logging on or off and read logged calls.
    #[command(subcommand)]
    Logs(cmd_logs::LogsCmd),
    /// Show which services a gateway path would route to (a dry run).
    Resolve(cmd_resolve::ResolveArgs),
    /// Sequences of gateway calls run one after another.
    #[command(subcommand)]
    Chains(cmd_chains::ChainsCmd),
    /// Gateway calls fanned out to several targets.
    #[command(subcommand)]
    Broadcasts(cmd_broadcasts::BroadcastsCmd),
    /// Your account's file store.
    #[command(subcommand)]
    Files(cmd_files::FilesCmd),
    /// Call any gateway path, optionally through wrappers (log, cache, failover, tee, …).
    Call(cmd_call::CallArgs),
    /// Ask an LLM target a question; tokens are printed as they stream in.
    Chat(cmd_chat::ChatArgs),
    /// Print a shell completion script.
    Completions(cmd_completions::CompletionsArgs),
}

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
        let sandbox = Sandbox::start().await.map_err(|e| {
            CliError::new(
                error::Failure::Other,
                format!("cannot start the embedded sandbox: {e}"),
            )
        })?;
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
        if let Some(url) = &cli.api_base_url {
            builder = builder.api_base_url(url);
        }
        Ok(Ctx {
            client: builder.build()?,
            json: cli.json,
            sandbox: None,
        })
    }
}

async fn run(cli: Cli) -> CliResult {
    match &cli.command {
        Command::Sandbox(args) => return cmd_sandbox::run(args, cli.json).await,
        Command::Completions(args) => return cmd_completions::run(args),
        _ => {}
    }
    // The tour reaches a configured platform only when asked to with --remote, whatever
    // the flags or the environment say.
    let use_sandbox = cli.sandbox || matches!(&cli.command, Command::Tour(args) if !args.remote);
    let ctx = if use_sandbox {
        Ctx::with_sandbox(cli.json).await?
    } else {
        Ctx::from_flags(&cli)?
    };
    let result = match cli.command {
        Command::Tour(args) => cmd_tour::run(&ctx, &args).await,
        Command::Groups(cmd) => cmd_groups::run(&ctx, cmd).await,
        Command::Services(cmd) => cmd_services::run(&ctx, cmd).await,
        Command::Enrollments(cmd) => cmd_enrollments::run(&ctx, cmd).await,
        Command::Secrets(cmd) => cmd_secrets::run(&ctx, cmd).await,
        Command::Aliases(cmd) => cmd_aliases::run(&ctx, cmd).await,
        Command::Recurrent(cmd) => cmd_recurrent::run(&ctx, cmd).await,
        Command::Logs(cmd) => cmd_logs::run(&ctx, cmd).await,
        Command::Resolve(args) => cmd_resolve::run(&ctx, args).await,
        Command::Chains(cmd) => cmd_chains::run(&ctx, cmd).await,
        Command::Broadcasts(cmd) => cmd_broadcasts::run(&ctx, cmd).await,
        Command::Files(cmd) => cmd_files::run(&ctx, cmd).await,
        Command::Call(args) => cmd_call::run(&ctx, args).await,
        Command::Chat(args) => cmd_chat::run(&ctx, args).await,
        Command::Sandbox(_) | Command::Completions(_) => unreachable!("handled above"),
    };
    if let Some(sandbox) = ctx.sandbox {
        sandbox.shutdown().await;
    }
    result
}

/// Parses the command line; with `--json`, usage errors are reported as JSON too.
fn parse() -> Result<Cli, ExitCode> {
    use clap::error::ErrorKind;
    match Cli::try_parse() {
        Ok(cli) => Ok(cli),
        Err(e)
            if std::env::args().any(|a| a == "--json")
                && !matches!(
                    e.kind(),
                    ErrorKind::DisplayHelp
                        | ErrorKind::DisplayVersion
                        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
                ) =>
        {
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or("invalid usage");
            let err = CliError::usage(first.strip_prefix("error: ").unwrap_or(first));
            err.report(true);
            Err(err.exit_code())
        }
        Err(e) => e.exit(),
    }
}

/// Lets a closed pipe end the process quietly (`usvc … | head`), as Unix tools do, instead
/// of panicking on the next write to stdout.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: runs first in `main`, before any other thread exists; SIG_DFL is a valid
    // disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    restore_sigpipe();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let cli = match parse() {
            Ok(cli) => cli,
            Err(code) => return code,
        };
        let json = cli.json;
        match run(cli).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                e.report(json);
                e.exit_code()
            }
        }
    })
}
