#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod aliases;
pub mod blocking;
mod args;
pub mod broadcasts;
pub mod chains;
mod client;
mod dispatch;
pub mod enrollments;
pub mod groups;
pub mod resolve;
pub mod services;
pub mod streaming;
mod wrapped;
pub mod config;
mod error;
pub mod files;
mod http;
mod ids;
pub mod low_level;
pub mod pagination;
pub mod recurrent_requests;
pub mod request_logs;
pub mod secrets;
pub mod wrappers;

pub use client::{Client, ClientBuilder};
pub use dispatch::{DispatchRequest, Response};
pub use enrollments::Enrollment;
pub use groups::Group;
pub use services::Service;
pub use streaming::{Event, StreamingResponse};
pub use wrapped::{GatewayTarget, Wrappable, Wrapped};
pub use wrappers::{Delay, GatewayDuration, GatewayPath};
pub use config::{ApiKey, Config, RetryPolicy};
pub use error::{Error, ErrorDetail, ErrorKind, FieldError, Result};
pub use ids::Id;
pub use http::Hooks;
pub use low_level::types;
pub use low_level::open_enums;
pub use recurrent_requests::Schedule;
pub use request_logs::LoggingMode;
