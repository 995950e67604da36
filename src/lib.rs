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

pub use client::{Client, ClientBuilder};
pub use config::{ApiKey, Config, RetryBudget, RetryPolicy};
pub use dispatch::{DispatchRequest, Response};
pub use enrollments::{Enrollment, EnrollmentCreated};
pub use error::{Error, ErrorDetail, ErrorKind, FieldError, Result};
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
