//! Checks on caller-supplied arguments, so bad input fails before anything is sent.

use crate::error::{Error, Result};
use std::fmt::Display;

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

/// A page size or offset for an endpoint that takes a signed integer.
pub(crate) fn signed(name: &str, value: u64) -> Result<i64> {
    i64::try_from(value).map_err(|_| Error::invalid_input(format!("{name} {value} is too large")))
}

/// Rejects an empty or whitespace-only string argument.
pub(crate) fn non_empty<'a>(name: &str, value: &'a str) -> Result<&'a str> {
    if value.trim().is_empty() {
        Err(Error::invalid_input(format!("{name} must not be empty")))
    } else {
        Ok(value)
    }
}

/// Serializes a caller's free-form JSON where the API wants an object.
///
/// JSON `null` (what `None` serializes to) means "not set", so `Some(json!(..))` and
/// `json!(..)` read the same; anything else that is not an object is rejected.
pub(crate) fn object<T: serde::Serialize + ?Sized>(
    what: &str,
    value: &T,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>> {
    use serde_json::Value;
    let found = match serde_json::to_value(value) {
        Ok(Value::Object(map)) => return Ok(Some(map)),
        Ok(Value::Null) => return Ok(None),
        Ok(Value::Bool(_)) => "a boolean",
        Ok(Value::Number(_)) => "a number",
        Ok(Value::String(_)) => "a string",
        Ok(Value::Array(_)) => "an array",
        Err(e) => {
            return Err(
                Error::invalid_input(format!("{what} cannot be serialized as JSON: {e}"))
                    .with_source(e),
            )
        }
    };
    Err(Error::invalid_input(format!(
        "{what} must be a JSON object, got {found}"
    )))
}

/// Checks a string against a generated constrained type (its length or pattern) and wraps it.
///
/// The value itself stays out of the message: it may be a secret.
pub(crate) fn text<T>(what: &str, value: impl Into<String>) -> Result<T>
where
    T: TryFrom<String>,
    T::Error: Display,
{
    T::try_from(value.into()).map_err(|e| Error::invalid_input(format!("invalid {what}: {e}")))
}

/// [`text`] for a gateway path the platform will route to: it must be relative and stay
/// under its target, as a dispatched path must.
pub(crate) fn gateway_path<T>(what: &str, value: impl Into<String>) -> Result<T>
where
    T: TryFrom<String>,
    T::Error: Display,
{
    let value = value.into();
    crate::wrappers::check_path(value.split_once('?').map_or(&*value, |(p, _)| p))
        .map_err(|e| Error::invalid_input(format!("invalid {what}: {e}")))?;
    text(what, value)
}

/// The input rule of a required text: not blank.
pub(crate) fn non_empty_rule(value: String) -> std::result::Result<String, String> {
    if value.trim().is_empty() {
        Err("must not be empty".into())
    } else {
        Ok(value)
    }
}

/// The input rule of gateway paths the platform will route to: relative, staying under
/// their target (a query may follow).
pub(crate) fn relative_path_rule(value: String) -> std::result::Result<String, String> {
    crate::wrappers::check_path(value.split_once('?').map_or(&*value, |(p, _)| p))
        .map_err(|e| e.to_string())?;
    Ok(value)
}

/// A duration in whole milliseconds, for fields the API counts in `_ms`.
pub(crate) fn millis(what: &str, value: std::time::Duration) -> Result<i64> {
    i64::try_from(value.as_millis())
        .map_err(|_| Error::invalid_input(format!("{what} {value:?} is too long")))
}

/// A duration in whole milliseconds for a setter that cannot fail; past `i64::MAX`
/// milliseconds (292 million years) it saturates.
pub(crate) fn millis_saturating(value: std::time::Duration) -> i64 {
    i64::try_from(value.as_millis()).unwrap_or(i64::MAX)
}

/// [`millis`] for an optional value.
pub(crate) fn millis_opt(what: &str, value: Option<std::time::Duration>) -> Result<Option<i64>> {
    value.map(|v| millis(what, v)).transpose()
}

/// A builder argument checked when it was given and reported at `send()`; builders stay
/// `Clone` (streams re-send them page by page), and [`Error`] is not, so the message is
/// kept instead of the error.
pub(crate) type Checked<T> = std::result::Result<T, String>;

/// Keeps a checked argument until `send()`.
pub(crate) fn check<T>(value: Result<T>) -> Checked<T> {
    value.map_err(|e| e.to_string())
}

/// The argument, or the `InvalidInput` error it was rejected with.
pub(crate) fn checked<T>(value: Checked<T>) -> Result<T> {
    value.map_err(Error::invalid_input)
}
