//! `blocking::ClientBuilder`: the async builder's setters, forwarded one for one.

use crate::error::Result;
use crate::RetryPolicy;
use std::time::Duration;

/// Configures and builds a [`blocking::Client`](super::Client); every setter is the async
/// [`ClientBuilder`](crate::ClientBuilder)'s of the same name.
#[derive(Debug, Default)]
#[must_use]
pub struct ClientBuilder {
    inner: crate::ClientBuilder,
}

/// One line per async setter; `tests/blocking.rs` fails when the async builder gains a
/// setter this list lacks.
macro_rules! forward_setters {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {
        impl ClientBuilder {
            $(
                #[doc = concat!("See [`ClientBuilder::", stringify!($name),
                    "`](crate::ClientBuilder::", stringify!($name), ").")]
                pub fn $name(self, $($arg: $ty),*) -> Self {
                    ClientBuilder { inner: self.inner.$name($($arg),*) }
                }
            )*
        }
    };
}

forward_setters! {
    api_key(key: impl Into<String>);
    base_url(url: impl Into<String>);
    api_base_url(url: impl Into<String>);
    s3_base_url(url: impl Into<String>);
    smtp_base_url(url: impl Into<String>);
    timeout(timeout: Duration);
    no_timeout();
    stream_idle_timeout(timeout: Duration);
    no_stream_idle_timeout();
    max_event_size(bytes: usize);
    max_response_size(bytes: usize);
    max_error_body_size(bytes: usize);
    verify_ssl(verify: bool);
    user_agent(agent: impl Into<String>);
    http_client(client: reqwest::Client);
    retry(policy: RetryPolicy);
    interface_cache_ttl(ttl: Duration);
    trust_origin(origin: impl Into<String>);
    ignore_env();
    compression(enabled: bool);
}

impl ClientBuilder {
    /// Checks the configuration and builds the blocking client, as
    /// [`ClientBuilder::build`](crate::ClientBuilder::build) does.
    ///
    /// # Errors
    ///
    /// The async builder's errors, and [`ErrorKind::InvalidInput`](crate::ErrorKind) when
    /// the client's runtime cannot start.
    pub fn build(self) -> Result<super::Client> {
        super::Client::wrap(self.inner.build()?)
    }
}
