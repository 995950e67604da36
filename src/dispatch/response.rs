//! The buffered answer of a gateway request.

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::http::mark_sensitive;
use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

/// Reads a whole body, failing with [`ErrorKind::TooLarge`] past `limit` bytes (at once
/// when `Content-Length` announces more).
pub(super) async fn read_capped(
    mut resp: reqwest::Response,
    limit: usize,
) -> Result<(StatusCode, HeaderMap, Bytes)> {
    let too_large = || Error::from_too_large(limit);
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let status = resp.status();
    let mut headers = std::mem::take(resp.headers_mut());
    mark_sensitive(&mut headers);
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = resp.chunk().await.map_err(Error::from_reqwest)? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok((status, headers, body.freeze()))
}

/// A buffered answer from the gateway, whatever its status.
#[derive(Clone)]
pub struct Response {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
    pub(super) error_body_limit: usize,
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
            .with_body(self.body.clone())
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
        let err = Error::from_status(self.status.as_u16(), &self.headers, self.body)
            .limit_body(self.error_body_limit);
        Err(match &self.client {
            Some(client) => client.hooks().scrub(err),
            None => err,
        })
    }
}
