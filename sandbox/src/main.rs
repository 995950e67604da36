//! Runs a UnitySVC sandbox in the foreground.

use std::net::SocketAddr;
use unitysvc_sandbox::Sandbox;

fn parse_args() -> Result<SocketAddr, String> {
    let mut host = "127.0.0.1".to_string();
    let mut port = 0u16;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" | "-p" => {
                let v = args.next().ok_or("--port needs a value")?;
                port = v.parse().map_err(|_| format!("invalid port '{v}'"))?;
            }
            "--host" => host = args.next().ok_or("--host needs a value")?,
            "--help" | "-h" => return Err("usage: unitysvc-sandbox [--host H] [--port N]".into()),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    format!("{host}:{port}")
        .parse()
        .map_err(|_| format!("invalid address {host}:{port}"))
}

#[tokio::main]
async fn main() {
    let addr = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    let sb = match Sandbox::start_on(addr).await {
        Ok(sb) => sb,
        Err(e) => {
            eprintln!("failed to start sandbox on {addr}: {e}");
            std::process::exit(1);
        }
    };
    println!("UnitySVC sandbox running");
    println!("  control plane: {}", sb.base_url());
    println!("  gateway:       {}", sb.gateway_url());
    println!("  demo API key:  {}", sb.api_key());
    println!("  second key:    {}", sb.second_api_key());
    println!(
        "export UNITYSVC_API_URL={} UNITYSVC_API_KEY={}",
        sb.base_url(),
        sb.api_key()
    );
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = sb.wait() => {}
    }
}
