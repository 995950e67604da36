//! Arguments several commands share: paging, JSON values, request bodies and headers.

use crate::error::{CliError, CliResult};
use clap::Args;
use serde_json::{Map, Value};
use std::io::Read;
use unitysvc::Method;
use uuid::Uuid;

/// How much of a list to fetch.
#[derive(Debug, Clone, Args)]
pub struct Paging {
    /// Items per page.
    #[arg(long, default_value_t = 50)]
    pub limit: u64,
    /// Continue from this cursor (a page's `next_cursor`).
    #[arg(long, conflicts_with = "all")]
    pub cursor: Option<String>,
    /// Fetch every page.
    #[arg(long)]
    pub all: bool,
}

impl Paging {
    /// The cursor of an offset-paged list: how many items to skip.
    pub fn skip(&self) -> CliResult<u64> {
        match &self.cursor {
            None => Ok(0),
            Some(c) => c
                .parse()
                .map_err(|_| CliError::invalid(format!("invalid cursor {c:?}: expected a number"))),
        }
    }
}

/// Fetches one page of an offset-paged list (or every page with `--all`) as a
/// [`print::Page`](crate::print::Page).
macro_rules! offset_page {
    ($request:expr, $paging:expr) => {{
        let paging: &$crate::args::Paging = &$paging;
        let request = $request.limit(paging.limit);
        if paging.all {
            let items: Vec<_> = futures::TryStreamExt::try_collect(request.stream()).await?;
            $crate::print::Page::complete(items)
        } else {
            let page = request.skip(paging.skip()?).send().await?;
            $crate::print::Page::from_offset(page)
        }
    }};
}
pub(crate) use offset_page;

/// Parses a JSON object given on the command line; `what` names it in the error.
pub fn json_object(what: &str, text: &str) -> CliResult<Map<String, Value>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(CliError::invalid(format!(
            "{what} must be a JSON object, like '{{\"key\": \"value\"}}'"
        ))),
        Err(e) => Err(CliError::invalid(format!("{what} is not valid JSON: {e}"))),
    }
}

/// Reads `--data`: `@path` reads a file, `-` reads standard input, anything else is literal.
pub fn read_data(spec: &str) -> CliResult<Vec<u8>> {
    if spec == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf)?;
        return Ok(buf);
    }
    if let Some(path) = spec.strip_prefix('@') {
        return std::fs::read(path)
            .map_err(|e| CliError::invalid(format!("cannot read the data file {path}: {e}")));
    }
    Ok(spec.as_bytes().to_vec())
}

/// Reads `--data` and parses it as one JSON value.
pub fn read_json(spec: &str) -> CliResult<Value> {
    let bytes = read_data(spec)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| CliError::invalid(format!("the data is not valid JSON: {e}")))
}

/// Splits `-H 'Name: value'` into its name and value.
pub fn header(text: &str) -> CliResult<(String, String)> {
    match text.split_once(':') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_owned(), value.trim().to_owned()))
        }
        _ => Err(CliError::invalid(format!(
            "invalid header {:?}: expected 'Name: value'",
            text.split(':').next().unwrap_or_default()
        ))),
    }
}

/// Parses an HTTP method name, any case.
pub fn method(text: &str) -> CliResult<Method> {
    text.to_uppercase()
        .parse()
        .map_err(|_| CliError::invalid(format!("invalid HTTP method {text:?}")))
}

/// Parses a UUID given on the command line.
pub fn uuid(what: &str, text: &str) -> CliResult<Uuid> {
    text.trim()
        .parse()
        .map_err(|_| CliError::invalid(format!("{what} {text:?} is not a valid id (a UUID)")))
}

/// Parses an RFC 3339 time such as `2026-01-31T12:00:00Z`.
pub fn time(what: &str, text: &str) -> CliResult<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| {
            CliError::invalid(format!(
                "{what} {text:?} is not a time like 2026-01-31T12:00:00Z"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_split_at_the_first_colon_and_are_trimmed() {
        assert_eq!(
            header("Authorization:  Bearer a:b ").unwrap(),
            ("Authorization".to_owned(), "Bearer a:b".to_owned())
        );
        assert!(header("no colon").is_err());
        assert!(header(": value").is_err());
    }

    #[test]
    fn an_offset_cursor_is_a_number() {
        let paging = |cursor: Option<&str>| Paging {
            limit: 10,
            cursor: cursor.map(str::to_owned),
            all: false,
        };
        assert_eq!(paging(None).skip().unwrap(), 0);
        assert_eq!(paging(Some("20")).skip().unwrap(), 20);
        assert!(paging(Some("abc")).skip().is_err());
    }

    #[test]
    fn json_objects_are_checked() {
        assert_eq!(json_object("x", r#"{"a": 1}"#).unwrap()["a"], 1);
        assert!(json_object("x", "[1]").is_err());
        assert!(json_object("x", "{").is_err());
    }

    #[test]
    fn literal_data_is_sent_as_is() {
        assert_eq!(read_data("plain text").unwrap(), b"plain text");
        assert!(read_data("@/no/such/file").is_err());
    }
}
