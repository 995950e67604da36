//! `usvc sandbox`: a local sandbox in the foreground.

use crate::error::{CliError, CliResult, Failure};
use clap::Args;
use std::net::SocketAddr;
use unitysvc_sandbox::Sandbox;

/// Arguments of `usvc sandbox`.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Port to listen on (loopback); 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
}

/// Runs the sandbox until Ctrl-C; with `json`, its URLs and key are one JSON line, for
/// scripts that start it in the background.
pub async fn run(args: &SandboxArgs, json: bool) -> CliResult {
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let sandbox = Sandbox::start_on(addr).await.map_err(|e| {
        CliError::new(
            Failure::Network,
            format!("cannot start the sandbox on {addr}: {e}"),
        )
    })?;
    if json {
        crate::print::json_line(&serde_json::json!({
            "base_url": sandbox.base_url(),
            "gateway_url": sandbox.gateway_url(),
            "api_key": sandbox.api_key(),
        }))?;
        tokio::signal::ctrl_c().await?;
        sandbox.shutdown().await;
        return Ok(());
    }
    println!("UnitySVC sandbox running (Ctrl-C stops it)");
    println!("  control plane: {}", sandbox.base_url());
    println!("  gateway:       {}", sandbox.gateway_url());
    println!("  demo API key:  {}", sandbox.api_key());
    println!();
    println!(
        "  export UNITYSVC_API_URL={} UNITYSVC_API_BASE_URL={} UNITYSVC_API_KEY={}",
        sandbox.base_url(),
        sandbox.gateway_url(),
        sandbox.api_key()
    );
    tokio::signal::ctrl_c().await?;
    println!("stopping");
    sandbox.shutdown().await;
    Ok(())
}
