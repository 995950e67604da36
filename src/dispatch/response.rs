//! The buffered answer of a gateway request.

use crate::client::Client;
use crate::error::{read_error_body, Error, ErrorKind, Result};
use crate::http::{mark_sensitive, read_body, Limits};
use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

/// Reads an answer: a success body whole, failing with [`ErrorKind::TooLarge`] past
/// `max_response_size`; an error body up to `max_error_body_size`, the rest dropped
/// unread, so the status always comes back. Answers whether the body was cut.
pub(super) async fn read_capped(
    resp: reqwest::Response,
    limits: Limits,
) -> Result<(StatusCode, HeaderMap, Bytes, bool)> {
    let status = resp.status();
    let mut headers = resp.headers().clone();
    mark_sensitive(&mut headers);
    if status.is_success() {
        let body = read_body(resp, limits.max_response_size).await?;
        Ok((status, headers, body, false))
    } else {
        let (body, cut) = read_error_body(resp, limits.max_error_body).await;
        Ok((status, headers, body, cut))
    }
}

/// A buffered answer from the gateway, whatever its status.
#[derive(Clone)]
pub struct Response {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
    pub(super) error_body_limit: usize,
    pub(super) truncated: bool,
    /// Lets `error_for_status` scrub the client's key from an echoed error.
    pub(super) client: Option<Client>,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &format_args!("{} bytes", self.body.len()))
            .finish()
    }
}

impl Response {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Whether the body was cut: an error answer keeps at most the client's
    /// `max_error_body_size` bytes, and the rest is dropped unread.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// The raw body.
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// The body as text, with invalid UTF-8 replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Decodes the body as JSON into `T`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Decode`] with the raw body when it is not JSON of that shape.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Error::new(
                ErrorKind::Decode,
                format!("the gateway response is not the expected JSON: {e}"),
            )
            .with_body_limit(self.body.clone(), self.error_body_limit)
        })
    }

    /// Turns a non-2xx response into an [`Error`] of the matching kind.
    ///
    /// # Errors
    ///
    /// The error for the status, with the parsed `detail` and at most the client's
    /// `max_error_body_size` bytes of body.
    pub fn error_for_status(self) -> Result<Response> {
        if self.status.is_success() {
            return Ok(self);
        }
        let err = Error::from_status(
            self.status.as_u16(),
            &self.headers,
            self.body,
            self.error_body_limit,
        );
        Err(match &self.client {
            Some(client) => client.hooks().scrub(err),
            None => err,
        })
    }
}
