#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod aliases;
mod args;
pub mod broadcasts;
pub mod chains;
mod client;
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
pub use config::{ApiKey, Config, RetryPolicy};
pub use error::{Error, ErrorDetail, ErrorKind, FieldError, Result};
pub use ids::Id;
pub use http::Hooks;
pub use low_level::types;
pub use low_level::open_enums;
pub use recurrent_requests::Schedule;
pub use request_logs::LoggingMode;
