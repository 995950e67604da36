//! A blocking client for code without an async runtime.
//!
//! Every type here wraps its async twin and runs it on a small runtime the client owns, so
//! the two never disagree. Like `reqwest::blocking`, it must not be used from inside an
//! async runtime (calls there panic); use [`crate::Client`] there.
//!
//! Calls that take many options return a [`Call`]: configure the async builder inside with
//! [`Call::map`], then [`Call::send`] it, or iterate every page with [`Call::into_iter`].
//!
//! # Examples
//!
//! ```no_run
//! let client = unitysvc::blocking::Client::from_env()?;
//! for group in client.groups().list()? {
//!     println!("{}", group.name);
//! }
//! let logs = client.request_logs().list().map(|q| q.limit(10)).send()?;
//! # Ok::<(), unitysvc::Error>(())
//! ```

mod records;
mod resources;
mod stream;

pub use records::{Enrollment, Group, Service};
pub use resources::{
    Aliases, Broadcasts, Chains, Enrollments, Files, Groups, RecurrentRequests, RequestLogs,
    Secrets, Services,
};
pub use stream::{DispatchRequest, StreamingResponse};

use crate::error::{Error, ErrorKind, Result};
use crate::pagination::ItemStream;
use futures::StreamExt;
use std::future::Future;
use std::sync::Arc;

/// The runtime blocking calls run on, shared by a client and everything it hands out.
#[derive(Debug, Clone)]
pub(crate) struct Rt(Arc<tokio::runtime::Runtime>);

impl Rt {
    fn new() -> Result<Rt> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("unitysvc-blocking")
            .enable_all()
            .build()
            .map(|rt| Rt(Arc::new(rt)))
            .map_err(|e| {
                Error::new(ErrorKind::InvalidInput, "cannot start the blocking runtime")
                    .with_source(e)
            })
    }

    pub(crate) fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.0.block_on(f)
    }

    pub(crate) fn iter<T>(&self, stream: ItemStream<T>) -> Iter<T> {
        Iter {
            rt: self.clone(),
            stream,
        }
    }

    /// Iterates a stream of async records as their blocking twins.
    pub(crate) fn iter_records<A, B>(
        &self,
        stream: ItemStream<A>,
        wrap: fn(&Rt, A) -> B,
    ) -> impl Iterator<Item = Result<B>> {
        let rt = self.clone();
        self.iter(stream)
            .map(move |item| item.map(|a| wrap(&rt, a)))
    }
}

/// An iterator over what an async stream yields, fetched lazily: list items page by page,
/// or a streaming body's chunks, lines or events; dropping it closes the stream.
pub struct Iter<T> {
    rt: Rt,
    stream: ItemStream<T>,
}

impl<T> std::fmt::Debug for Iter<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Iter").finish_non_exhaustive()
    }
}

impl<T> Iter<T> {
    /// Collects every item, stopping at the first error.
    pub fn collect_all(self) -> Result<Vec<T>> {
        self.collect()
    }
}

impl<T> Iterator for Iter<T> {
    type Item = Result<T>;
    fn next(&mut self) -> Option<Result<T>> {
        self.rt.block_on(self.stream.next())
    }
}

/// An async request builder that can be sent: the crate's `List…` builders and friends.
pub trait Sendable: Sized {
    /// What sending it returns.
    type Output;
    /// Sends it.
    fn send(self) -> impl Future<Output = Result<Self::Output>>;
}

/// An async list builder that can walk every page.
pub trait Pageable: Sized {
    /// The items it lists.
    type Item;
    /// Streams every item, page by page.
    fn into_stream(self) -> ItemStream<Self::Item>;
}

/// A configurable call: the async builder plus the runtime to run it on.
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until send() is called"]
pub struct Call<B> {
    rt: Rt,
    builder: B,
}

impl<B> Call<B> {
    pub(crate) fn new(rt: &Rt, builder: B) -> Call<B> {
        Call {
            rt: rt.clone(),
            builder,
        }
    }

    /// Configures the async builder, e.g. `.map(|q| q.limit(10).skip(20))`.
    pub fn map(self, f: impl FnOnce(B) -> B) -> Self {
        Call {
            rt: self.rt,
            builder: f(self.builder),
        }
    }

    /// Sends the call and waits for its answer.
    pub fn send(self) -> Result<B::Output>
    where
        B: Sendable,
    {
        self.rt.block_on(self.builder.send())
    }
}

impl<B: Pageable> IntoIterator for Call<B> {
    type Item = Result<B::Item>;
    type IntoIter = Iter<B::Item>;
    fn into_iter(self) -> Iter<B::Item> {
        self.rt.iter(self.builder.into_stream())
    }
}

/// The blocking UnitySVC client; cheap to clone.
#[derive(Debug, Clone)]
pub struct Client {
    inner: crate::Client,
    rt: Rt,
}

impl Client {
    /// Builds a client for `api_key` with defaults and environment fallbacks for the URLs.
    pub fn new(api_key: impl Into<String>) -> Result<Client> {
        Client::wrap(crate::Client::new(api_key)?)
    }

    /// Builds a client from the environment, like [`crate::Client::from_env`].
    pub fn from_env() -> Result<Client> {
        Client::wrap(crate::Client::from_env()?)
    }

    /// Builds a client without an API key, for browsing the catalog.
    pub fn anonymous() -> Result<Client> {
        Client::wrap(crate::Client::anonymous()?)
    }

    /// Wraps a configured async client; use [`crate::Client::builder`] for the options.
    pub fn wrap(inner: crate::Client) -> Result<Client> {
        Ok(Client {
            inner,
            rt: Rt::new()?,
        })
    }

    /// The async client inside, sharing configuration and connections.
    pub fn async_client(&self) -> &crate::Client {
        &self.inner
    }

    /// Runs any future of the async client to completion, for what has no blocking twin.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.rt.block_on(future)
    }

    /// The resolved configuration.
    pub fn config(&self) -> &crate::Config {
        self.inner.config()
    }

    /// The generated low-level client (async; drive it with [`block_on`](Self::block_on)).
    pub fn low_level(&self) -> &crate::low_level::Client {
        self.inner.low_level()
    }

    /// Starts a request to a gateway-relative path.
    pub fn dispatch(&self, path: &str) -> DispatchRequest {
        DispatchRequest::new(&self.rt, self.inner.dispatch(path))
    }

    /// Starts a request through a wrapped target, e.g. `group.logged(false)`.
    pub fn dispatch_to(&self, target: &impl crate::Wrappable) -> DispatchRequest {
        DispatchRequest::new(&self.rt, target.dispatch_path())
    }

    /// Dry-runs the gateway's route selection for `path`.
    pub fn resolve(&self, path: &str) -> Call<crate::resolve::ResolveRequest> {
        Call::new(&self.rt, self.inner.resolve(path))
    }
}
