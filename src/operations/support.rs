//! What the generated builders share: argument checks and the first rejected argument.

use crate::error::{Error, Result};
use crate::ids::Id;
use std::fmt::Display;

/// What every generated request knows about itself.
pub trait Operation {
    /// The SDK's name for the call, as errors carry it (`secrets.set`).
    const LABEL: &'static str;
    /// Whether the call fails on an anonymous client before anything is sent.
    const NEEDS_KEY: bool;
}

/// The first argument a builder rejected: reported at `send()`, so setters stay chainable
/// and builders stay `Clone` (an [`Error`] is not).
#[derive(Debug, Clone, Default)]
pub(crate) struct Invalid(Option<(&'static str, String)>);

impl Invalid {
    /// The value, or `None` after remembering why `param` was rejected.
    pub(crate) fn keep<T>(
        &mut self,
        param: &'static str,
        value: std::result::Result<T, String>,
    ) -> Option<T> {
        match value {
            Ok(v) => Some(v),
            Err(message) => {
                if self.0.is_none() {
                    self.0 = Some((param, message));
                }
                None
            }
        }
    }

    /// The `InvalidInput` error of the first rejected argument, named after the call.
    pub(crate) fn check(&self, label: &str) -> Result<()> {
        match &self.0 {
            None => Ok(()),
            Some((param, message)) => {
                Err(Error::invalid_input(format!("invalid {param}: {message}"))
                    .with_parameter(param)
                    .in_call(label, None))
            }
        }
    }
}

/// A string checked against a generated constrained type; the value stays out of the
/// message, since it may be a secret.
pub(crate) fn text<T>(value: String) -> std::result::Result<T, String>
where
    T: TryFrom<String>,
    T::Error: Display,
{
    T::try_from(value).map_err(|e| e.to_string())
}

pub(crate) fn id(value: &impl Id) -> std::result::Result<uuid::Uuid, String> {
    value.to_uuid().map_err(|e| e.message().to_owned())
}

pub(crate) fn ids(
    values: impl IntoIterator<Item = impl Id>,
) -> std::result::Result<Vec<uuid::Uuid>, String> {
    values.into_iter().map(|v| id(&v)).collect()
}

/// The integer types the wire uses.
pub(crate) trait WireInt: Sized {
    fn from_wide(value: i128) -> Option<Self>;
}

macro_rules! wire_int {
    ($($t:ty),*) => {$(
        impl WireInt for $t {
            fn from_wide(value: i128) -> Option<Self> {
                Self::try_from(value).ok()
            }
        }
    )*};
}
wire_int!(i64, i32, u64, u32);

impl WireInt for std::num::NonZeroU64 {
    fn from_wide(value: i128) -> Option<Self> {
        u64::try_from(value).ok().and_then(Self::new)
    }
}

/// An integer within the documented bounds, converted to the wire type.
pub(crate) fn int<T: WireInt>(
    value: i128,
    min: Option<i128>,
    max: Option<i128>,
) -> std::result::Result<T, String> {
    match (min, max) {
        (Some(lo), Some(hi)) if !(lo..=hi).contains(&value) => {
            return Err(format!("must be between {lo} and {hi}, got {value}"))
        }
        (Some(lo), None) if value < lo => {
            return Err(format!("must be at least {lo}, got {value}"))
        }
        (None, Some(hi)) if value > hi => return Err(format!("must be at most {hi}, got {value}")),
        _ => {}
    }
    T::from_wide(value).ok_or_else(|| format!("{value} is out of range"))
}

/// A caller's JSON where the API wants an object; `null` means "not set".
pub(crate) fn object(
    value: &impl serde::Serialize,
) -> std::result::Result<Option<serde_json::Map<String, serde_json::Value>>, String> {
    crate::args::object("the value", value).map_err(|e| e.message().to_owned())
}

// Generated setters of JSON-valued fields call this; the current document has none.
#[allow(dead_code)]
pub(crate) fn json(
    value: &impl serde::Serialize,
) -> std::result::Result<serde_json::Value, String> {
    serde_json::to_value(value).map_err(|e| format!("cannot be serialized as JSON: {e}"))
}

pub(crate) fn convert<T, V>(value: V) -> std::result::Result<T, String>
where
    V: TryInto<T>,
    V::Error: Display,
{
    value.try_into().map_err(|e| e.to_string())
}

pub(crate) fn each<T, V>(values: impl IntoIterator<Item = V>) -> std::result::Result<Vec<T>, String>
where
    V: TryInto<T>,
    V::Error: Display,
{
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| v.try_into().map_err(|e| format!("#{i}: {e}")))
        .collect()
}

pub(crate) fn str_map(
    pairs: impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>,
) -> std::collections::HashMap<String, String> {
    pairs
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect()
}

/// The finished body, or an `InvalidInput` error naming what it lacks.
pub(crate) fn body<T, B>(label: &str, body: B) -> Result<T>
where
    B: TryInto<T>,
    B::Error: Display,
{
    body.try_into().map_err(|e| {
        Error::invalid_input(format!("invalid body: {e}"))
            .with_parameter("body")
            .in_call(label, None)
    })
}

pub(crate) fn missing(label: &str, param: &'static str) -> Error {
    Error::invalid_input(format!("{param} is required"))
        .with_parameter(param)
        .in_call(label, None)
}

/// An offset or page size as the page types count it.
pub(crate) fn count<T: Copy + TryInto<u64>>(value: &Option<T>) -> u64 {
    value.and_then(|v| v.try_into().ok()).unwrap_or(0)
}
