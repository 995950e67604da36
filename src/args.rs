//! Checks on caller-supplied arguments, so bad input fails before anything is sent.

use crate::error::{Error, Result};
use std::fmt::Display;
use std::num::NonZeroU64;

/// Converts a request body (a full struct or its generated builder) into the wire type.
///
/// Converting here rather than inside the generated call turns a builder with a missing or
/// invalid field into an `InvalidInput` error naming the body, not a late request error.
pub(crate) fn body<T, B>(what: &str, value: B) -> Result<T>
where
    B: TryInto<T>,
    B::Error: Display,
{
    value
        .try_into()
        .map_err(|e| Error::invalid_input(format!("invalid {what}: {e}")))
}

/// Converts every item of a list body, failing on the first bad one.
pub(crate) fn bodies<T, B>(what: &str, values: impl IntoIterator<Item = B>) -> Result<Vec<T>>
where
    B: TryInto<T>,
    B::Error: Display,
{
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| body(&format!("{what} #{i}"), v))
        .collect()
}

/// Rejects `value` outside `min..=max`, naming the parameter and its bounds.
pub(crate) fn in_range(name: &str, value: u64, min: u64, max: u64) -> Result<u64> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(Error::invalid_input(format!(
            "{name} must be between {min} and {max}, got {value}"
        )))
    }
}

/// A page size or offset for an endpoint that takes a signed integer.
pub(crate) fn signed(name: &str, value: u64) -> Result<i64> {
    i64::try_from(value).map_err(|_| Error::invalid_input(format!("{name} {value} is too large")))
}

/// A bounded, non-zero page size.
pub(crate) fn page_size(name: &str, value: u64, max: u64) -> Result<NonZeroU64> {
    let value = in_range(name, value, 1, max)?;
    NonZeroU64::new(value).ok_or_else(|| Error::invalid_input(format!("{name} must be at least 1")))
}

/// Rejects an empty or whitespace-only string argument.
pub(crate) fn non_empty<'a>(name: &str, value: &'a str) -> Result<&'a str> {
    if value.trim().is_empty() {
        Err(Error::invalid_input(format!("{name} must not be empty")))
    } else {
        Ok(value)
    }
}

/// Remembers the first invalid setter argument of a builder until `send()` reports it.
///
/// Builders stay `Clone` (streams re-send them page by page), and [`Error`] is not, so the
/// message is kept instead of the error.
#[derive(Debug, Clone, Default)]
pub(crate) struct Deferred(Option<String>);

impl Deferred {
    /// Keeps the value, or records why it was rejected.
    pub(crate) fn take<T>(&mut self, value: Result<T>) -> Option<T> {
        match value {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.get_or_insert_with(|| e.to_string());
                None
            }
        }
    }

    /// The first recorded problem, as an `InvalidInput` error.
    pub(crate) fn check(&self) -> Result<()> {
        match &self.0 {
            Some(msg) => Err(Error::invalid_input(msg.clone())),
            None => Ok(()),
        }
    }
}
