#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod aliases;
mod args;
#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;
pub mod broadcasts;
mod cache;
pub mod chains;
pub mod chat;
mod client;
pub mod config;
mod dispatch;
pub mod enrollments;
mod error;
pub mod files;
pub mod groups;
mod http;
mod ids;
pub mod low_level;
pub mod operations;
pub mod pagination;
pub mod recurrent_requests;
pub mod request_logs;
pub mod resolve;
pub mod secrets;
pub mod services;
pub mod streaming;
mod wrapped;
pub mod wrappers;
mod zstd_body;

#[doc(hidden)]
pub mod fuzzing {
    //! Internals the cargo-fuzz targets in `fuzz/` drive. Not part of the API: hidden from
    //! the docs and free to change with any release.

    use crate::header::{HeaderMap, HeaderValue};
    pub use reqwest::Url;
    use std::time::Duration;

    /// The delay the retry loop reads from these `retry-after-ms` and `Retry-After` values
    /// (a value that is not a valid header value is left out, as the HTTP stack would).
    pub fn retry_after(
        retry_after_ms: Option<&[u8]>,
        retry_after: Option<&[u8]>,
    ) -> Option<Duration> {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("retry-after-ms", retry_after_ms),
            ("retry-after", retry_after),
        ] {
            if let Some(v) = value.and_then(|v| HeaderValue::from_bytes(v).ok()) {
                headers.insert(name, v);
            }
        }
        crate::error::retry_after_header(&headers)
    }

    /// The URL a dispatch to the raw gateway path `target` with sub-path `sub` goes to,
    /// under the gateway `root`, or the refusal.
    pub fn gateway_url(root: &Url, target: &str, sub: &str) -> crate::Result<Url> {
        let path = crate::GatewayPath::raw(target).map_err(crate::Error::from)?;
        crate::dispatch::urls::gateway_url(root, &path, sub)
    }

    /// The URL a dispatch through an interface at `base` with sub-path `sub` goes to, or
    /// the refusal.
    pub fn interface_url(base: &Url, sub: &str) -> crate::Result<Url> {
        crate::dispatch::urls::check_subpath(sub)?;
        crate::dispatch::urls::join_under(base, sub)
    }
}

pub use client::{Client, ClientBuilder};
pub use config::{ApiKey, Config, RetryBudget, RetryPolicy};
pub use dispatch::{DispatchRequest, Response};
pub use enrollments::{Enrollment, EnrollmentCreated};
pub use error::{Error, ErrorDetail, ErrorKind, FieldError, Result, UpstreamError};
pub use groups::Group;
pub use http::Hooks;
pub use ids::Id;
pub use low_level::open_enums;
pub use low_level::types;
pub use recurrent_requests::Schedule;
pub use request_logs::LoggingMode;
pub use reqwest::{header, Method, StatusCode};
pub use services::Service;
pub use streaming::{Event, StreamingResponse};
pub use wrapped::{GatewayTarget, Wrappable, Wrapped};
pub use wrappers::{Delay, GatewayDuration, GatewayPath};

/// The `chrono` the records' timestamps and the request-log time filters use, so callers
/// need no version-matched dependency of their own.
pub use chrono;
/// The `uuid` the records' ids use.
pub use uuid;
