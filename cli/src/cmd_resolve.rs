//! `usvc resolve`: which services a gateway path would route to, without calling any.

use crate::args;
use crate::error::CliResult;
use crate::print::{self, Table};
use crate::Ctx;
use clap::{Args, ValueEnum};
use unitysvc::open_enums::GatewayKind;

/// Arguments of `usvc resolve`.
#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// The gateway path, e.g. `g/llm/chat/completions` or `a/fast`.
    path: String,
    /// The routing key the call would carry, a JSON object.
    #[arg(long)]
    routing_key: Option<String>,
    /// The gateway the call would go through.
    #[arg(long, value_enum)]
    gateway: Option<GatewayArg>,
    /// The routing strategy to evaluate, e.g. `weighted`.
    #[arg(long)]
    strategy: Option<String>,
}

/// The platform's gateways.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum GatewayArg {
    Api,
    S3,
    Smtp,
}

/// Runs `usvc resolve`.
pub async fn run(ctx: &Ctx, args: ResolveArgs) -> CliResult {
    let mut request = ctx.client.resolve(&args.path);
    if let Some(text) = &args.routing_key {
        request = request.routing_key(args::json_object("--routing-key", text)?);
    }
    if let Some(gateway) = args.gateway {
        request = request.gateway(match gateway {
            GatewayArg::Api => GatewayKind::Api,
            GatewayArg::S3 => GatewayKind::S3,
            GatewayArg::Smtp => GatewayKind::Smtp,
        });
    }
    if let Some(strategy) = args.strategy {
        request = request.strategy(strategy);
    }
    let resolved = request.send().await?;
    if ctx.json {
        return print::json(&resolved);
    }
    let selected = resolved.selected.as_ref().map(|c| c.service_id);
    let mut table = Table::new(&["", "SERVICE", "NAME", "PROVIDER", "WEIGHT"]);
    for c in &resolved.candidates {
        table.row(vec![
            if Some(c.service_id) == selected {
                "*"
            } else {
                ""
            }
            .to_owned(),
            c.service_id.to_string(),
            print::opt(c.service_name.as_deref()),
            print::opt(c.provider_name.as_deref()),
            c.weight.to_string(),
        ]);
    }
    table.print();
    match &resolved.selected {
        Some(c) => println!(
            "the gateway would pick {} (*)",
            c.service_name.as_deref().unwrap_or("the marked service")
        ),
        None => println!("no candidate would be picked"),
    }
    Ok(())
}
