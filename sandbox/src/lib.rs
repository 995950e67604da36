//! A local, stateful emulator of the UnitySVC customer control plane and gateway.
//!
//! One listener serves the control plane under `/v1` and the gateway at the root,
//! so SDK tests can run against real HTTP on loopback.
#![deny(missing_docs)]

pub mod auth;
pub mod catalog;
pub mod control;
pub mod errors;
pub mod faults;
pub mod gateway;
pub mod limits;
pub mod routing;
pub mod state;
pub mod upstream;
pub mod validate;

pub use catalog::{DEMO_KEY, SECOND_KEY};
pub use limits::Limits;
pub use state::{AppState, Shared};

use axum::extract::DefaultBodyLimit;
use axum::http::header::CONTENT_TYPE;
use axum::http::{Extensions, HeaderMap, StatusCode, Version};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;

/// Builds the complete router (control plane under `/v1`, storage, gateway fallback).
pub fn router(state: AppState) -> Router {
    Router::new()
        .nest("/v1", control::router().layer(compression()))
        .merge(control::storage_routes())
        .fallback(gateway::handler)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            faults::inject,
        ))
        // `bounded_body` has already buffered every body within its limit and answers
        // oversize ones in JSON; a second, plain-text limit in the extractors would only
        // disagree with it.
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::bounded_body,
        ))
        .with_state(state)
}

/// Compresses control-plane JSON answers with gzip or zstd when the request accepts it,
/// as the platform's front end does; other answers (streams above all) pass as they are.
fn compression() -> CompressionLayer<impl Predicate> {
    let json = |_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions| {
        headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"))
    };
    CompressionLayer::new()
        .no_br()
        .no_deflate()
        .compress_when(SizeAbove::default().and(json))
}

/// A running sandbox; dropping it stops the server.
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    state: AppState,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
    runtime: Option<tokio::runtime::Runtime>,
}

/// Error a connection service returns to make hyper drop the connection unanswered.
#[derive(Debug)]
struct Reset;

impl std::fmt::Display for Reset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("sandbox fault: connection reset")
    }
}

impl std::error::Error for Reset {}

async fn serve(listener: TcpListener, app: Router, mut stop: watch::Receiver<bool>) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Accept errors (e.g. fd exhaustion) are transient; back off briefly.
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let app = app.clone();
                conns.spawn(async move {
                    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
                        let mut app = app.clone();
                        async move {
                            let resp = tower_service::Service::call(&mut app, req.map(axum::body::Body::new)).await;
                            match resp {
                                Ok(r) if r.extensions().get::<faults::ResetConnection>().is_some() => Err(Reset),
                                Ok(r) => Ok(r),
                                Err(never) => match never {},
                            }
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    conns.abort_all();
}

/// Options for a sandbox that is not started with the defaults.
#[derive(Debug, Clone)]
pub struct SandboxBuilder {
    addr: SocketAddr,
    limits: Limits,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            limits: Limits::default(),
        }
    }
}

impl SandboxBuilder {
    /// Sets the address to listen on (default: an ephemeral loopback port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Sets the size and shape limits (default: [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Starts the sandbox on the current tokio runtime.
    pub async fn start(self) -> std::io::Result<Sandbox> {
        Sandbox::launch(self.addr, self.limits).await
    }

    /// Starts the sandbox on its own background runtime, for callers without one.
    pub fn start_blocking(self) -> std::io::Result<Sandbox> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("unitysvc-sandbox")
            .enable_all()
            .build()?;
        let mut sb = rt.block_on(self.start())?;
        sb.runtime = Some(rt);
        Ok(sb)
    }
}

impl Sandbox {
    /// Returns a builder for a sandbox with a chosen address or limits.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// Starts a sandbox on an ephemeral loopback port.
    pub async fn start() -> std::io::Result<Sandbox> {
        Self::builder().start().await
    }

    /// Starts a sandbox on `addr`.
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Sandbox> {
        Self::builder().addr(addr).start().await
    }

    async fn launch(addr: SocketAddr, limits: Limits) -> std::io::Result<Sandbox> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let host = if addr.ip().is_unspecified() {
            "127.0.0.1".to_string()
        } else {
            addr.ip().to_string()
        };
        let state = Shared::with_limits(&format!("http://{host}:{}", addr.port()), limits);
        let (stop, rx) = watch::channel(false);
        let task = tokio::spawn(serve(listener, router(state.clone()), rx));
        Ok(Sandbox {
            addr,
            state,
            stop,
            task: Some(task),
            runtime: None,
        })
    }

    /// Starts a sandbox on its own background runtime, for callers without one.
    ///
    /// Must not be called (or dropped) from inside an async context's blocking-forbidden section.
    pub fn start_blocking() -> std::io::Result<Sandbox> {
        Self::builder().start_blocking()
    }

    /// Like [`Sandbox::start_blocking`] but on a chosen address.
    pub fn start_blocking_on(addr: SocketAddr) -> std::io::Result<Sandbox> {
        Self::builder().addr(addr).start_blocking()
    }

    /// Control-plane base URL, e.g. `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        self.state.base_url()
    }

    /// Gateway root URL, e.g. `http://127.0.0.1:PORT`.
    pub fn gateway_url(&self) -> String {
        self.state.gateway_root.clone()
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The demo customer's API key.
    pub fn api_key(&self) -> &str {
        DEMO_KEY
    }

    /// A second customer's API key, isolated from the demo one.
    pub fn second_api_key(&self) -> &str {
        SECOND_KEY
    }

    /// The shared state, for tests that want to inspect it.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops accepting, closes open connections and waits for the server task.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Runs until the server stops (used by the binary).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}
