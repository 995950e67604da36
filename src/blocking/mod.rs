//! A blocking client for code without an async runtime.
//!
//! Every type here wraps its async twin and runs it on a small runtime the client owns, so
//! the two never disagree. The runtime runs on the calling thread, so a blocking call costs
//! what the async call costs; a client may be cloned and used from several threads at
//! once. Like `reqwest::blocking`, it must not be used from inside an async runtime (calls
//! there panic); use [`crate::Client`] there.
//!
//! Calls read as they do in async code, without `.await`: builders are [`Call`]s with the
//! same setters, sent with `send()`; lists also have `stream()`, an [`Iterator`] that fetches
//! page by page.
//!
//! # Examples
//!
//! ```no_run
//! let client = unitysvc::blocking::Client::from_env()?;
//! for group in client.groups().list().send()? {
//!     println!("{}", group.name);
//! }
//! let page = client.groups().services("llm").limit(20).search("gpt").send()?;
//! for enrollment in client.enrollments().list().with_service(false).stream() {
//!     println!("{}", enrollment?.id);
//! }
//! let logs = client.request_logs().list().limit(10).send()?;
//! # let _ = (page, logs);
//! # Ok::<(), unitysvc::Error>(())
//! ```

mod builder;
pub mod chat;
mod records;
mod resources;
mod stream;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/operations/blocking.rs"));
}

pub use builder::ClientBuilder;
pub use generated::{
    aliases::Aliases, broadcasts::Broadcasts, chains::Chains, enrollments::Enrollments,
    files::Files, groups::Groups, recurrent_requests::RecurrentRequests, request_logs::RequestLogs,
    secrets::Secrets, services::Services,
};
pub use records::{Enrollment, EnrollmentCreated, Group, Service};
pub use stream::{DispatchRequest, StreamingResponse};

use crate::error::{Error, ErrorKind, Result};
use crate::pagination::ItemStream;
use futures::StreamExt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The runtime blocking calls run on, shared by a client and everything it hands out.
///
/// When the client's connection pool is its own, it is a current-thread runtime driven by
/// whichever thread is blocked in a call: the call, its connection and its I/O all run on
/// the caller's thread, with no hand-off to a runtime thread and back. Several threads may
/// call at once: one drives the runtime (all their connections included) while the others
/// wait to be woken, and the next caller takes over when it returns. Between calls nothing
/// runs, which is why a call may first let the runtime catch up (see [`Rt::block_on`]).
///
/// A pool shared with other runtimes (a caller's own `reqwest::Client`) could hand them
/// connections that only run during blocking calls, so such a client keeps one runtime
/// thread that drives its connections all the time, at the cost of a hand-off per call.
#[derive(Debug, Clone)]
pub(crate) struct Rt(Arc<Runtime>);

#[derive(Debug)]
struct Runtime {
    tokio: tokio::runtime::Runtime,
    /// Whether the runtime only runs during calls (current-thread).
    on_caller: bool,
    /// When the last call returned, in nanoseconds since `epoch`.
    last_call: AtomicU64,
    epoch: Instant,
}

/// How long the runtime may sit undriven before a call lets it catch up first: back-to-back
/// calls skip that, since a server that closes a connection within this long of answering
/// on it is a race no client avoids.
const IDLE_BEFORE_CATCHING_UP: Duration = Duration::from_millis(1);

impl Rt {
    /// A runtime on the callers' threads when `own_pool`, else one with a thread of its own.
    fn new(own_pool: bool) -> Result<Rt> {
        let mut builder = if own_pool {
            tokio::runtime::Builder::new_current_thread()
        } else {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.worker_threads(1).thread_name("unitysvc-blocking");
            builder
        };
        let tokio = builder.enable_all().build().map_err(|e| {
            Error::new(ErrorKind::InvalidInput, "cannot start the blocking runtime").with_source(e)
        })?;
        Ok(Rt(Arc::new(Runtime {
            tokio,
            on_caller: own_pool,
            last_call: AtomicU64::new(0),
            epoch: Instant::now(),
        })))
    }

    fn now(&self) -> u64 {
        u64::try_from(self.0.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// Runs a call to completion on the calling thread.
    ///
    /// While no thread was in a call, nothing watched the pooled connections, so one the
    /// server closed meanwhile would still look reusable and a request sent on it would
    /// fail. When the runtime has been idle, two yields first let it poll its I/O driver
    /// and then run the connection tasks that woke up, so closed connections leave the
    /// pool before the call picks one.
    pub(crate) fn block_on<F: Future>(&self, f: F) -> F::Output {
        let mut out = None;
        self.run_erased(Box::pin(async { out = Some(f.await) }), true);
        out.expect("the runtime runs the call to completion")
    }

    /// Runs a future that continues work already under way, such as reading the next
    /// item of a stream, without letting the runtime catch up first.
    pub(crate) fn drive<F: Future>(&self, f: F) -> F::Output {
        let mut out = None;
        self.run_erased(Box::pin(async { out = Some(f.await) }), false);
        out.expect("the runtime runs the call to completion")
    }

    /// [`block_on`](Self::block_on) and [`drive`](Self::drive) without their type: every
    /// call shares this one copy of tokio's `block_on`, where a generic one would be
    /// compiled anew for each of the ~80 future types the blocking client awaits.
    fn run_erased(&self, f: Pin<Box<dyn Future<Output = ()> + '_>>, may_catch_up: bool) {
        let catch_up = may_catch_up && self.0.on_caller && {
            let idle = self
                .now()
                .saturating_sub(self.0.last_call.load(Ordering::Relaxed));
            u128::from(idle) > IDLE_BEFORE_CATCHING_UP.as_nanos()
        };
        self.0.tokio.block_on(async {
            if catch_up {
                tokio::task::yield_now().await;
                tokio::task::yield_now().await;
            }
            f.await
        });
        self.0.last_call.store(self.now(), Ordering::Relaxed);
    }

    /// Runs an async call and hands its answer out as blocking types.
    pub(crate) fn run<T: IntoBlocking>(
        &self,
        call: impl Future<Output = Result<T>>,
    ) -> Result<T::Blocking> {
        self.block_on(call).map(|out| out.into_blocking(self))
    }

    pub(crate) fn iter<T>(&self, stream: ItemStream<T>) -> Iter<T> {
        Iter {
            rt: self.clone(),
            stream,
        }
    }

    /// Iterates a stream, handing each item out as its blocking type.
    pub(crate) fn iter_blocking<T>(&self, stream: ItemStream<T>) -> Iter<T::Blocking>
    where
        T: IntoBlocking + Send + 'static,
        T::Blocking: Send + 'static,
    {
        let rt = self.clone();
        self.iter(
            stream
                .map(move |item| item.map(|a| a.into_blocking(&rt)))
                .boxed(),
        )
    }
}

/// An async answer and its blocking twin: records become blocking records, pages and lists
/// of them too, and everything else is itself.
pub(crate) trait IntoBlocking {
    type Blocking;
    fn into_blocking(self, rt: &Rt) -> Self::Blocking;
}

impl<T: IntoBlocking> IntoBlocking for Vec<T> {
    type Blocking = Vec<T::Blocking>;
    fn into_blocking(self, rt: &Rt) -> Self::Blocking {
        self.into_iter()
            .map(|item| item.into_blocking(rt))
            .collect()
    }
}

impl<T: IntoBlocking> IntoBlocking for crate::pagination::Page<T> {
    type Blocking = crate::pagination::Page<T::Blocking>;
    fn into_blocking(self, rt: &Rt) -> Self::Blocking {
        self.map(|item| item.into_blocking(rt))
    }
}

impl<T: IntoBlocking> IntoBlocking for crate::pagination::CursorPage<T> {
    type Blocking = crate::pagination::CursorPage<T::Blocking>;
    fn into_blocking(self, rt: &Rt) -> Self::Blocking {
        self.map(|item| item.into_blocking(rt))
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
        // Most items are already buffered (a page, a chunk); a page fetch is a GET, which
        // the control plane's retries cover if it meets a closed connection.
        self.rt.drive(self.stream.next())
    }
}

/// A request being configured: the async builder plus the runtime to run it on.
///
/// It has the async builder's setters and a blocking `send()`; list requests also have
/// `stream()` and iterate with `for`.
///
/// # Examples
///
/// ```no_run
/// # fn run(client: unitysvc::blocking::Client) -> unitysvc::Result<()> {
/// let secrets = client.secrets().list().limit(10).send()?;
/// for alias in client.aliases().list().include_deactivated(true) {
///     println!("{}", alias?.name);
/// }
/// # let _ = secrets;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until send() is called"]
pub struct Call<B> {
    pub(crate) rt: Rt,
    pub(crate) builder: B,
}

impl<B> Call<B> {
    pub(crate) fn new(rt: &Rt, builder: B) -> Call<B> {
        Call {
            rt: rt.clone(),
            builder,
        }
    }

    /// Configures the async builder directly, e.g. `.map(|q| q.limit(10).skip(20))`.
    pub fn map(self, f: impl FnOnce(B) -> B) -> Self {
        Call {
            rt: self.rt,
            builder: f(self.builder),
        }
    }
}

/// The blocking UnitySVC client; cheap to clone.
///
/// It mirrors [`crate::Client`] method for method; only the `.await`s go.
///
/// # Examples
///
/// ```no_run
/// use std::time::Duration;
/// use unitysvc::blocking::Client;
///
/// let client = Client::from_env()?;
/// let page = client.groups().services("llm").limit(5).send()?;
/// let service = &page.items[0];
/// let enrollment = service.enroll().send()?.wait_active(Duration::from_secs(30))?;
/// client.secrets().set("OPENAI_API_KEY", "sk-...").send()?;
/// let answer = service
///     .dispatch()
///     .enrollment(enrollment.id)
///     .path("chat/completions")
///     .json(&serde_json::json!({"messages": [{"role": "user", "content": "hi"}]}))
///     .send()?;
/// println!("{}", answer.text());
/// # Ok::<(), unitysvc::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) inner: crate::Client,
    pub(crate) rt: Rt,
}

impl Client {
    /// Builds a client for `api_key` with defaults and environment fallbacks for the URLs.
    pub fn new(api_key: impl Into<String>) -> Result<Client> {
        Client::own(crate::Client::new(api_key)?)
    }

    /// A builder with every option of the async [`crate::ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Builds a client from the environment, like [`crate::Client::from_env`].
    pub fn from_env() -> Result<Client> {
        Client::own(crate::Client::from_env()?)
    }

    /// Builds a client without an API key, for browsing the catalog.
    pub fn anonymous() -> Result<Client> {
        Client::own(crate::Client::anonymous()?)
    }

    /// Wraps a configured async client; [`Client::builder`] offers the same options.
    ///
    /// The blocking client gets the async client's configuration and a connection pool of
    /// its own, so `inner` stays usable from async code. With a caller's
    /// [`reqwest::Client`](crate::ClientBuilder::http_client) the pool cannot be copied;
    /// it is shared, and a runtime thread keeps it driven between calls.
    pub fn wrap(inner: crate::Client) -> Result<Client> {
        match inner.with_own_pool()? {
            Some(own) => Client::own(own),
            None => Ok(Client {
                inner,
                rt: Rt::new(false)?,
            }),
        }
    }

    /// Wraps an async client nobody else holds.
    fn own(inner: crate::Client) -> Result<Client> {
        Ok(Client {
            inner,
            rt: Rt::new(true)?,
        })
    }

    /// The async client inside, sharing configuration and connections; drive its futures
    /// with [`block_on`](Self::block_on) rather than another runtime, which would use
    /// connections that only run during blocking calls.
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

    /// Starts a request through a wrapped target, e.g. `group.logged()`.
    pub fn dispatch_to(&self, target: &impl crate::Wrappable) -> DispatchRequest {
        DispatchRequest::new(&self.rt, target.dispatch_path())
    }
}
