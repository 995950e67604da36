//! Sequential calls per second against an in-process sandbox: the blocking client against
//! the async client, as ratios (above 1: faster than the async client on a current-thread
//! runtime).
//!
//! Every contender has its own client (connection pools belong to the runtime that drives
//! them) and makes the same calls one after another from the bench thread:
//! - async, current-thread runtime: `rt.block_on(call)`, everything on the bench thread;
//! - async, multi-thread runtime (2 workers), as under `#[tokio::main]`;
//! - the previous blocking design, emulated: a one-worker multi-thread runtime whose
//!   `block_on` runs the call on the bench thread while the connection is driven by the
//!   worker, so every call crosses threads;
//! - `unitysvc::blocking::Client`.
//!
//! The calls: a gateway dispatch (`POST p/<id>/echo`) and a control-plane read
//! (`services().get(id)`). The sandbox runs on its own two-worker runtime.
//!
//! `cargo bench --bench blocking -- --quick`

mod support;

use serde_json::json;
use support::{compare, Case, Settings};
use tokio::runtime::{Builder, Runtime};
use unitysvc::Client;
use unitysvc_sandbox::{catalog, Sandbox};

fn main() {
    let settings = Settings::from_args();
    let sb = Sandbox::start_blocking().expect("sandbox");
    let client = || {
        Client::builder()
            .base_url(sb.base_url())
            .api_key(sb.api_key())
            .ignore_env()
            .build()
            .expect("client")
    };
    let current: Runtime = Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let multi: Runtime = Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let one_worker: Runtime = Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let (on_current, on_multi, on_one_worker) = (client(), client(), client());
    let blocking = unitysvc::blocking::Client::wrap(client()).expect("blocking client");

    let id = catalog::service_id(catalog::SIMPLE_SERVICE);
    let path = format!("p/{id}/echo");
    let body = json!({"model": "m", "messages": [{"role": "user", "content": "ping"}]});
    let ok = |status: unitysvc::StatusCode| u64::from(status == 200);

    let group = "gateway dispatch, calls/s";
    if settings.wants(group) {
        let call = |c: &Client| c.dispatch(&path).json(&body).send();
        compare(
            &settings,
            group,
            Case::new("async, current-thread runtime", || {
                ok(current.block_on(call(&on_current)).expect("call").status())
            }),
            vec![
                Case::new("async, multi-thread runtime", || {
                    ok(multi.block_on(call(&on_multi)).expect("call").status())
                }),
                Case::new("previous blocking design", || {
                    ok(one_worker
                        .block_on(call(&on_one_worker))
                        .expect("call")
                        .status())
                }),
                Case::new("blocking::Client", || {
                    let resp = blocking.dispatch(&path).json(&body).send();
                    ok(resp.expect("call").status())
                }),
            ],
            true,
        );
    }

    let group = "control-plane read, calls/s";
    if settings.wants(group) {
        async fn read(c: &Client, id: uuid::Uuid) -> unitysvc::Result<uuid::Uuid> {
            c.services().get(id).await.map(|s| s.id)
        }
        compare(
            &settings,
            group,
            Case::new("async, current-thread runtime", || {
                u64::from(current.block_on(read(&on_current, id)).expect("call") == id)
            }),
            vec![
                Case::new("async, multi-thread runtime", || {
                    u64::from(multi.block_on(read(&on_multi, id)).expect("call") == id)
                }),
                Case::new("previous blocking design", || {
                    u64::from(one_worker.block_on(read(&on_one_worker, id)).expect("call") == id)
                }),
                Case::new("blocking::Client", || {
                    u64::from(blocking.services().get(id).send().expect("call").id == id)
                }),
            ],
            true,
        );
    }
}
