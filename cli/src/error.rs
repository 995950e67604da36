//! What a failed command reports: a plain-English message, a hint, and an exit code per kind.

use serde_json::{json, Value};
use std::fmt;
use std::process::ExitCode;
use unitysvc::{ErrorDetail, ErrorKind, StatusCode};

/// The exit-code table, shown in `usvc --help` and the README.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  any other failure (a response that does not decode, a local file, ...)
  2  usage: unknown command, missing or malformed argument
  3  authentication or permission: missing, invalid or insufficient API key
  4  not found
  5  invalid input: rejected before sending, or by the server (400, 422)
  6  conflict: it already exists, or its state does not allow this (409)
  7  rate limited (429)
  8  server error (5xx)
  9  connection failure or timeout

With --json, errors are one JSON object on stderr:
  {\"kind\", \"message\", \"status\", \"detail\", \"request_id\"}";

/// The class of a failure, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Anything not listed below.
    Other,
    /// The command line itself is wrong.
    Usage,
    /// No key, a bad key, or a key that may not do this.
    Auth,
    /// No such resource.
    NotFound,
    /// The input was refused, before sending or by the server.
    Invalid,
    /// The request conflicts with existing state.
    Conflict,
    /// Too many requests.
    RateLimit,
    /// The server failed.
    Server,
    /// The server could not be reached in time, or the connection broke.
    Network,
}

impl Failure {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Failure::Other => 1,
            Failure::Usage => 2,
            Failure::Auth => 3,
            Failure::NotFound => 4,
            Failure::Invalid => 5,
            Failure::Conflict => 6,
            Failure::RateLimit => 7,
            Failure::Server => 8,
            Failure::Network => 9,
        }
    }

    /// The class of an HTTP status.
    pub fn of_status(status: StatusCode) -> Failure {
        match status.as_u16() {
            401 | 403 => Failure::Auth,
            404 => Failure::NotFound,
            400 | 422 => Failure::Invalid,
            409 => Failure::Conflict,
            429 => Failure::RateLimit,
            500..=599 => Failure::Server,
            _ => Failure::Other,
        }
    }
}

/// A failure to report, on stderr as text or as JSON.
#[derive(Debug)]
pub struct CliError(Box<Report>);

/// What a [`CliError`] holds; boxed, so results stay small.
#[derive(Debug)]
struct Report {
    failure: Failure,
    kind: &'static str,
    message: String,
    status: Option<u16>,
    detail: Option<Value>,
    request_id: Option<String>,
    hint: Option<String>,
}

impl CliError {
    /// A failure of a given class with a message.
    pub fn new(failure: Failure, message: impl Into<String>) -> CliError {
        let kind = match failure {
            Failure::Other => "other",
            Failure::Usage => "usage",
            Failure::Auth => "authentication",
            Failure::NotFound => "not_found",
            Failure::Invalid => "invalid_input",
            Failure::Conflict => "conflict",
            Failure::RateLimit => "rate_limit",
            Failure::Server => "server",
            Failure::Network => "connection",
        };
        CliError(Box::new(Report {
            failure,
            kind,
            message: message.into(),
            status: None,
            detail: None,
            request_id: None,
            hint: hint(failure, None).map(str::to_owned),
        }))
    }

    /// Input the command refuses before sending anything (exit code 5).
    pub fn invalid(message: impl Into<String>) -> CliError {
        CliError::new(Failure::Invalid, message)
    }

    /// The command line is wrong (exit code 2).
    pub fn usage(message: impl Into<String>) -> CliError {
        CliError::new(Failure::Usage, message)
    }

    /// A non-success answer from the gateway, classed by its status.
    pub fn from_response(
        status: StatusCode,
        headers: &unitysvc::header::HeaderMap,
        body: &[u8],
    ) -> CliError {
        let failure = Failure::of_status(status);
        let detail = ErrorDetail::parse(body);
        let message = match &detail {
            Some(d) => format!("the gateway answered HTTP {}: {d}", status.as_u16()),
            None => format!("the gateway answered HTTP {status}"),
        };
        let mut err = CliError::new(failure, message);
        err.0.kind = status_kind(status);
        err.0.status = Some(status.as_u16());
        err.0.detail = detail.as_ref().map(detail_json);
        err.0.request_id = headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        err.0.hint = hint(failure, None).map(str::to_owned);
        err
    }

    /// Prefixes the message, e.g. with the step of the tour that failed.
    pub fn context(mut self, prefix: &str) -> CliError {
        self.0.message = format!("{prefix}: {}", self.0.message);
        self
    }

    /// The exit code of this failure.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.0.failure.code())
    }

    /// Writes the error to stderr, as text for people or as one JSON object.
    pub fn report(&self, json: bool) {
        if json {
            let value = json!({
                "kind": self.0.kind,
                "message": self.0.message,
                "status": self.0.status,
                "detail": self.0.detail,
                "request_id": self.0.request_id,
            });
            eprintln!("{value}");
            return;
        }
        eprintln!("error: {}", self.0.message);
        if let Some(id) = &self.0.request_id {
            eprintln!("request id: {id} (quote it when asking for support)");
        }
        if let Some(hint) = &self.0.hint {
            eprintln!("hint: {hint}");
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

fn status_kind(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "authentication",
        403 => "permission",
        404 => "not_found",
        400 | 422 => "validation",
        409 => "conflict",
        429 => "rate_limit",
        500..=599 => "server",
        _ => "api",
    }
}

fn detail_json(detail: &ErrorDetail) -> Value {
    match detail {
        ErrorDetail::Message(m) => Value::String(m.clone()),
        ErrorDetail::Fields(fields) => fields
            .iter()
            .map(|f| json!({"loc": f.location, "msg": f.message, "type": f.kind}))
            .collect(),
        ErrorDetail::Other(v) => v.clone(),
        _ => Value::String(detail.to_string()),
    }
}

/// What to try next, per class; `retry_after` is the server's wait, when it sent one.
fn hint(failure: Failure, retry_after: Option<std::time::Duration>) -> Option<&'static str> {
    Some(match failure {
        Failure::Auth => {
            "check the API key: pass --api-key or set UNITYSVC_API_KEY (keys start with svcpass_)"
        }
        Failure::NotFound => "check the id or name; the matching `list` command shows what exists",
        Failure::Invalid => "fix the input and run the command again; --help lists the arguments",
        Failure::Conflict => "it already exists or is in a state that does not allow this",
        Failure::RateLimit if retry_after.is_some() => {
            "too many requests: wait as long as the server asked, then try again"
        }
        Failure::RateLimit => "too many requests: wait a little, then try again",
        Failure::Server => "the platform failed; try again later, and quote the request id if it persists",
        Failure::Network => {
            "check the network and the URLs (--base-url / UNITYSVC_API_URL, --api-base-url / UNITYSVC_API_BASE_URL)"
        }
        Failure::Other | Failure::Usage => return None,
    })
}

impl From<unitysvc::Error> for CliError {
    fn from(e: unitysvc::Error) -> Self {
        let (failure, kind) = match e.kind() {
            ErrorKind::Authentication => (Failure::Auth, "authentication"),
            ErrorKind::Permission => (Failure::Auth, "permission"),
            ErrorKind::NotFound => (Failure::NotFound, "not_found"),
            ErrorKind::Validation => (Failure::Invalid, "validation"),
            ErrorKind::InvalidInput => (Failure::Invalid, "invalid_input"),
            ErrorKind::Conflict => (Failure::Conflict, "conflict"),
            ErrorKind::RateLimit => (Failure::RateLimit, "rate_limit"),
            ErrorKind::Server => (Failure::Server, "server"),
            ErrorKind::Timeout => (Failure::Network, "timeout"),
            ErrorKind::Connection => (Failure::Network, "connection"),
            ErrorKind::Decode => (Failure::Other, "decode"),
            ErrorKind::Stream => (Failure::Other, "stream"),
            ErrorKind::TooLarge => (Failure::Other, "too_large"),
            ErrorKind::Api => (Failure::Other, "api"),
            _ => (Failure::Other, "other"),
        };
        let mut err = CliError::new(failure, plain_message(&e));
        err.0.kind = kind;
        err.0.status = e.status().map(|s| s.as_u16());
        err.0.detail = e.detail().map(detail_json);
        err.0.request_id = e.request_id().map(str::to_owned);
        err.0.hint = hint(failure, e.retry_after()).map(str::to_owned);
        if e.kind() == ErrorKind::Timeout {
            err.0.hint = Some(
                "the server did not answer in time; try again (`call` accepts --timeout SECONDS)"
                    .to_owned(),
            );
        }
        if let Some(wait) = e.retry_after() {
            err.0.hint = Some(format!(
                "too many requests: wait {} s, then try again",
                wait.as_secs().max(1)
            ));
        }
        err
    }
}

/// The SDK's message in plain English: no operation label (`secrets.get: …`), no request id
/// (reported on its own line), and no Rust call advice.
fn plain_message(e: &unitysvc::Error) -> String {
    let mut text = e.to_string();
    if let Some(op) = e.operation() {
        if let Some(rest) = text.strip_prefix(&format!("{op}: ")) {
            text = rest.to_owned();
        }
    }
    if let Some(id) = e.request_id() {
        text = text.replace(&format!(" (request id {id})"), "");
    }
    if let Some(status) = e.status() {
        return match e.detail() {
            Some(detail) => format!("{detail} (HTTP {})", status.as_u16()),
            None => format!(
                "the server answered HTTP {} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            )
            .trim_end()
            .to_owned(),
        };
    }
    if e.kind() == ErrorKind::InvalidInput {
        // The SDK names the argument it refused; say it as the flag the user typed.
        if let Some(param) = e.parameter() {
            let rest = e.message();
            let rest = rest
                .strip_prefix(&format!("invalid {param}: "))
                .unwrap_or(rest);
            let flag = FLAG_NAMES
                .iter()
                .find(|(sdk, _)| *sdk == param)
                .map_or(param, |(_, flag)| flag);
            return format!("{flag}: {}", in_flag_terms(rest));
        }
        return in_flag_terms(&text);
    }
    if e.kind() == ErrorKind::Authentication {
        // "listing secrets needs an API key; this client is anonymous (… Client::new)"
        if let Some((what, _)) = text.split_once(';') {
            return what.to_owned();
        }
    }
    text
}

/// The SDK's argument names in input errors, and the flags a `usvc` user typed instead.
/// Longer names come first so `routing_key_override` is not read as `routing_key`.
const FLAG_NAMES: &[(&str, &str)] = &[
    ("expires_in seconds", "--expires"),
    ("expires_in", "--expires"),
    ("routing_key_override", "--routing-key-override"),
    ("routing_key", "--routing-key"),
    ("body_template", "--data"),
    ("default_timeout", "--timeout"),
    ("target_timeout", "--timeout"),
    ("status_min", "--status-min"),
    ("status_max", "--status-max"),
    ("start_time", "--since"),
    ("end_time", "--until"),
    ("max_keys", "--limit"),
    ("target_path", "target path"),
    ("request_path", "gateway path"),
];

/// An input error with the SDK's argument names replaced by the CLI's flags.
fn in_flag_terms(message: &str) -> String {
    FLAG_NAMES
        .iter()
        .fold(message.to_owned(), |text, (sdk, flag)| {
            text.replace(sdk, flag)
        })
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::new(Failure::Other, e.to_string())
    }
}

impl From<serde_json::Error> for CliError {
    fn from(e: serde_json::Error) -> Self {
        CliError::new(Failure::Other, format!("cannot write JSON: {e}"))
    }
}

impl From<unitysvc::wrappers::WrapperError> for CliError {
    fn from(e: unitysvc::wrappers::WrapperError) -> Self {
        CliError::invalid(e.to_string())
    }
}

/// The result type of every command.
pub type CliResult<T = ()> = Result<T, CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_the_documented_exit_codes() {
        for (status, code) in [
            (401, 3),
            (403, 3),
            (404, 4),
            (400, 5),
            (422, 5),
            (409, 6),
            (429, 7),
            (500, 8),
            (503, 8),
            (418, 1),
        ] {
            let status = StatusCode::from_u16(status).unwrap();
            assert_eq!(Failure::of_status(status).code(), code, "{status}");
        }
    }

    #[test]
    fn every_exit_code_is_documented() {
        for failure in [
            Failure::Other,
            Failure::Usage,
            Failure::Auth,
            Failure::NotFound,
            Failure::Invalid,
            Failure::Conflict,
            Failure::RateLimit,
            Failure::Server,
            Failure::Network,
        ] {
            let line = format!("\n  {}  ", failure.code());
            assert!(
                EXIT_CODES.contains(&line),
                "code {} undocumented",
                failure.code()
            );
        }
    }

    #[test]
    fn a_gateway_answer_keeps_its_detail_and_request_id() {
        let mut headers = unitysvc::header::HeaderMap::new();
        headers.insert("x-request-id", "req-7".parse().unwrap());
        let err = CliError::from_response(
            StatusCode::CONFLICT,
            &headers,
            br#"{"detail": "already there"}"#,
        );
        assert_eq!(err.0.failure, Failure::Conflict);
        assert_eq!(err.0.kind, "conflict");
        assert_eq!(err.0.detail, Some(Value::String("already there".into())));
        assert_eq!(err.0.request_id.as_deref(), Some("req-7"));
        assert_eq!(
            err.to_string(),
            "the gateway answered HTTP 409: already there"
        );
    }

    #[test]
    fn input_errors_name_the_flags_not_the_sdk_arguments() {
        assert_eq!(
            in_flag_terms("status_min 700 is greater than status_max 500"),
            "--status-min 700 is greater than --status-max 500"
        );
        assert_eq!(
            in_flag_terms("routing_key_override must be a JSON object"),
            "--routing-key-override must be a JSON object"
        );
    }

    #[test]
    fn wrapper_errors_are_invalid_input() {
        let err = CliError::from(unitysvc::wrappers::WrapperError::EmptyPath);
        assert_eq!(err.0.failure.code(), 5);
    }
}
