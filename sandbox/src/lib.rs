//! A local, stateful emulator of the UnitySVC customer control plane and gateway.
//!
//! One listener serves the control plane under `/v1` and the gateway at the root, so tests
//! of code that uses the `unitysvc` SDK run against real HTTP on loopback, with no key and
//! no network. Add it as a dev-dependency and ask the sandbox for a client:
//!
//! ```
//! use unitysvc_sandbox::Sandbox;
//!
//! // A sandbox on its own runtime, for a plain #[test]; in async tests use Sandbox::start().
//! let sandbox = Sandbox::start_blocking()?;
//! // Pointed at both sandbox URLs with its key; UNITYSVC_* variables are ignored.
//! let client = sandbox.blocking_client()?;
//! let page = client.groups().services("llm").limit(2).send()?;
//! assert_eq!(page.items.len(), 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod auth;
pub mod catalog;
pub mod control;
pub mod errors;
pub mod faults;
pub mod gateway;
pub mod journal;
pub mod limits;
pub mod llm;
pub mod routing;
pub mod script;
pub mod state;
pub mod upstream;
pub mod validate;

pub use catalog::{DEMO_KEY, SECOND_KEY};
pub use journal::RecordedRequest;
pub use limits::Limits;
pub use script::{Answer, Route};
pub use state::{AppState, Shared};

use axum::extract::DefaultBodyLimit;
use axum::http::header::CONTENT_TYPE;
use axum::http::{Extensions, HeaderMap, StatusCode, Version};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
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
    conns: Arc<ConnCounts>,
}

/// TCP connections the server has taken, so tests can see whether clients reuse them.
#[derive(Debug, Default)]
struct ConnCounts {
    accepted: AtomicU64,
    open: AtomicU64,
}

/// Counts a connection as open for as long as its task lives, aborted or not.
struct OpenGuard(Arc<ConnCounts>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::Relaxed);
    }
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

async fn serve(
    listener: TcpListener,
    app: Router,
    mut stop: watch::Receiver<bool>,
    counts: Arc<ConnCounts>,
) {
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
                counts.accepted.fetch_add(1, Ordering::Relaxed);
                counts.open.fetch_add(1, Ordering::Relaxed);
                let guard = OpenGuard(counts.clone());
                conns.spawn(async move {
                    let _guard = guard;
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
        let conns = Arc::new(ConnCounts::default());
        let task = tokio::spawn(serve(listener, router(state.clone()), rx, conns.clone()));
        Ok(Sandbox {
            addr,
            state,
            stop,
            task: Some(task),
            runtime: None,
            conns,
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

    /// An async client pointed at both of this sandbox's URLs with the demo key; the
    /// `UNITYSVC_*` environment variables are ignored, so a test never goes elsewhere.
    ///
    /// # Errors
    ///
    /// The client builder's errors (none are expected for a running sandbox).
    pub fn client(&self) -> unitysvc::Result<unitysvc::Client> {
        self.client_builder().build()
    }

    /// A blocking client configured as [`Sandbox::client`]; start the sandbox with
    /// [`Sandbox::start_blocking`] when the test has no runtime.
    ///
    /// # Errors
    ///
    /// The client builder's errors, or a runtime that cannot start.
    #[cfg(feature = "blocking")]
    pub fn blocking_client(&self) -> unitysvc::Result<unitysvc::blocking::Client> {
        unitysvc::blocking::Client::wrap(self.client()?)
    }

    /// The builder behind [`Sandbox::client`], for tests that set more options (timeouts,
    /// retries) before building.
    pub fn client_builder(&self) -> unitysvc::ClientBuilder {
        unitysvc::Client::builder()
            .base_url(self.base_url())
            .api_base_url(self.gateway_url())
            .api_key(self.api_key())
            .ignore_env()
    }

    /// The gateway requests received so far, oldest first: method, path, headers (with
    /// credentials masked) and body, so a test can assert what its code sent.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.db().journal.iter().cloned().collect()
    }

    /// Seeds an enrollment of the demo customer in `service_id` in a given state:
    /// `"pending"` (stays pending for a day), `"active"`, `"cancelled"`, or any other status
    /// the sandbox reports as is (e.g. `"paused"`). Returns its id, or `None` for a service
    /// the catalog does not have.
    pub fn seed_enrollment(&self, service_id: uuid::Uuid, status: &str) -> Option<uuid::Uuid> {
        let mut db = self.state.db();
        db.service(service_id)?;
        let customer = db.customer_by_key(DEMO_KEY)?;
        let t = state::now();
        let enrollment = state::Enrollment {
            id: uuid::Uuid::new_v4(),
            service_id,
            customer_id: customer.id,
            owner_id: Some(customer.user_id),
            parameters: None,
            created_at: t,
            activate_at: match status {
                "pending" => t + chrono::Duration::days(1),
                _ => t,
            },
            cancelled_at: (status == "cancelled").then_some(t),
            forced_status: (!matches!(status, "pending" | "active" | "cancelled"))
                .then(|| status.to_owned()),
        };
        let id = enrollment.id;
        db.enrollments.push(enrollment);
        Some(id)
    }

    /// Scripts what the gateway answers for `route`, in place of the built-in upstream,
    /// until [`Sandbox::clear_scripts`]; the newest script matching a call answers it.
    pub fn script(&self, route: Route, answer: Answer) {
        self.state
            .db()
            .scripts
            .push(script::Script::new(route, answer));
    }

    /// Removes every script, so the built-in upstream answers again.
    pub fn clear_scripts(&self) {
        self.state.db().scripts.clear();
    }

    /// Seeds a catalog service named `name` (unique per call, e.g. the test's name) whose
    /// interfaces are `interfaces`, in order, callable by every customer without an
    /// enrollment; returns its id. Dispatch picks an interface with `.interface(name)`.
    /// Returns `None` when the catalog already has a service of that name.
    pub fn seed_service(&self, name: &str, interfaces: &[&str]) -> Option<uuid::Uuid> {
        let mut db = self.state.db();
        if db.services.iter().any(|s| s.name == name) {
            return None;
        }
        let id = uuid::Uuid::new_v4();
        db.services.push(state::Service {
            id,
            name: name.to_owned(),
            display_name: name.to_owned(),
            provider_name: "Sandbox".to_owned(),
            service_type: "llm".to_owned(),
            description: format!("{name}, seeded by a test."),
            capabilities: vec!["llm".to_owned()],
            tags: vec!["seeded".to_owned()],
            created_at: state::now(),
            interfaces: interfaces
                .iter()
                .map(|i| state::InterfaceSeed {
                    name: (*i).to_owned(),
                    description: format!("Seeded interface {i}"),
                    byok: false,
                })
                .collect(),
            enrollment_mode: "disallowed".to_owned(),
            documents: Vec::new(),
        });
        Some(id)
    }

    /// Empties the request journal, e.g. between the parts of a test.
    pub fn clear_requests(&self) {
        self.state.db().journal.clear();
    }

    /// The shared state, for tests that want to inspect it.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// TCP connections accepted since the start.
    pub fn connections_accepted(&self) -> u64 {
        self.conns.accepted.load(Ordering::Relaxed)
    }

    /// TCP connections open now (accepted and not yet closed by either side).
    pub fn connections_open(&self) -> u64 {
        self.conns.open.load(Ordering::Relaxed)
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
