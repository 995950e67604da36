//! Account files: listing, presigned download links, and presigned uploads.
//!
//! # Examples
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use std::time::Duration;
//!
//! # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
//! let key = client.files().upload_bytes("reports/q1.csv", b"a,b\n1,2\n".to_vec(), "text/csv").await?;
//! let bytes = client.files().download_bytes(&key).await?;
//! let link = client.files().download_url(&key).expires_in(Duration::from_secs(300)).send().await?;
//! let keys: Vec<_> = client.files().list().path("reports/").stream().map_ok(|o| o.key).try_collect().await?;
//! # let _ = (bytes, link, keys);
//! # Ok(())
//! # }
//! ```

use crate::args;
use crate::error::{self, Error, Result};
use crate::open_enums::Scope;
use crate::pagination::CursorPage;
use crate::types::{
    AccountFileObject, AccountFileUploadRequest, AccountFileUploadResponse,
    AccountFilesListResponse,
};
use std::time::Duration;

include!(concat!(env!("OUT_DIR"), "/operations/files.rs"));

/// One page of a file listing: the objects, the "directories" below the prefix, and the
/// cursor to the next page.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FileListing {
    /// The files on this page.
    pub items: Vec<AccountFileObject>,
    /// The key prefixes one level below the listed path, like directories.
    pub common_prefixes: Vec<String>,
    /// Pass this to [`ListFiles::continuation_token`] for the next page.
    pub next_cursor: Option<String>,
    /// Whether a later page exists.
    pub has_more: bool,
}

impl From<FileListing> for CursorPage<AccountFileObject> {
    fn from(listing: FileListing) -> Self {
        CursorPage {
            items: listing.items,
            next_cursor: listing.next_cursor,
            has_more: listing.has_more,
        }
    }
}

pub(crate) fn listing(_: &ListFiles, page: AccountFilesListResponse) -> Result<FileListing> {
    let has_more = page.is_truncated && page.next_continuation_token.is_some();
    Ok(FileListing {
        items: page.objects,
        common_prefixes: page.common_prefixes,
        next_cursor: page.next_continuation_token.filter(|_| has_more),
        has_more,
    })
}

/// The platform wants a file name and a size it can reserve.
pub(crate) fn check_upload(request: &AccountFileUploadRequest) -> Result<()> {
    args::non_empty("filename", &request.filename)?;
    if request.size < 0 {
        return Err(Error::invalid_input(format!(
            "size must not be negative, got {}",
            request.size
        )));
    }
    Ok(())
}

impl DownloadUrl {
    /// How long the URL stays valid, 60 seconds to one hour (default 15 minutes).
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        let secs = lifetime.as_secs();
        let secs = if (60..=3600).contains(&secs) {
            Ok(secs as i64)
        } else {
            Err(format!("must be between 60 and 3600 seconds, got {secs}"))
        };
        self.expires_in = self.invalid.keep("expires_in", secs);
        self
    }
}

impl Files {
    /// Uploads `bytes` as the personal file `key` (`dir/name`), returning the stored key.
    ///
    /// It asks for a presigned form, then posts the form fields and the file to the storage
    /// URL as `multipart/form-data`, without the API key.
    pub async fn upload_bytes(
        &self,
        key: &str,
        bytes: impl Into<bytes::Bytes>,
        content_type: &str,
    ) -> Result<String> {
        self.upload_bytes_unnamed(key, bytes.into(), content_type)
            .await
            .map_err(|e| e.in_call("files.upload_bytes", None))
    }

    async fn upload_bytes_unnamed(
        &self,
        key: &str,
        bytes: bytes::Bytes,
        content_type: &str,
    ) -> Result<String> {
        let key = key.trim_start_matches('/');
        let (dir, filename) = key.rsplit_once('/').unwrap_or(("", key));
        if filename.is_empty() {
            return Err(
                Error::invalid_input(format!("file key {key:?} must end in a file name"))
                    .with_parameter("key"),
            );
        }
        let size = args::signed("file size", bytes.len() as u64)?;
        let file = file_part(filename, content_type, bytes.clone())?;
        let request = AccountFileUploadRequest {
            content_type: Some(content_type.to_owned()),
            filename: filename.to_owned(),
            path: dir.to_owned(),
            scope: Some(Scope::Personal),
            size,
        };
        let ticket = self.upload(request).send().await?;
        if u64::try_from(ticket.max_bytes).is_ok_and(|max| bytes.len() as u64 > max) {
            return Err(Error::invalid_input(format!(
                "the file is {} bytes; the upload allows at most {}",
                bytes.len(),
                ticket.max_bytes
            ))
            .with_parameter("bytes"));
        }
        let resp = self
            .client
            .external_request(reqwest::Method::POST, &ticket.url)
            .multipart(upload_form(&ticket, file))
            .send()
            .await
            .map_err(Error::from_reqwest)?;
        if !resp.status().is_success() {
            let limit = self.client.hooks().limits().max_error_body;
            return Err(error::from_response(resp, limit).await);
        }
        Ok(ticket.key)
    }

    /// Downloads the personal file `key` through a short-lived presigned URL, up to the
    /// client's `max_response_size`.
    pub async fn download_bytes(&self, key: &str) -> Result<bytes::Bytes> {
        let link = self
            .download_url(key)
            .expires_in(Duration::from_secs(60))
            .send()
            .await?;
        let fetched = async {
            let resp = self
                .client
                .external_request(reqwest::Method::GET, &link.url)
                .send()
                .await
                .map_err(Error::from_reqwest)?;
            let limits = self.client.hooks().limits();
            if !resp.status().is_success() {
                return Err(error::from_response(resp, limits.max_error_body).await);
            }
            crate::http::read_body(resp, limits.max_response_size).await
        };
        fetched
            .await
            .map_err(|e| e.in_call("files.download_bytes", None))
    }
}

/// The file part of an upload; built before anything is sent so a bad content type fails
/// early.
fn file_part(
    filename: &str,
    content_type: &str,
    bytes: bytes::Bytes,
) -> Result<reqwest::multipart::Part> {
    let len = bytes.len() as u64;
    reqwest::multipart::Part::stream_with_length(bytes, len)
        .file_name(filename.to_owned())
        .mime_str(content_type)
        .map_err(|e| {
            Error::invalid_input(format!("invalid content type {content_type:?}: {e}"))
                .with_parameter("content_type")
        })
}

/// Builds an S3-style POST form: the presigned fields first, the file last, as S3 requires.
fn upload_form(
    ticket: &AccountFileUploadResponse,
    file: reqwest::multipart::Part,
) -> reqwest::multipart::Form {
    let mut fields: Vec<_> = ticket.fields.iter().collect();
    // A stable order keeps requests reproducible; S3 does not care about field order.
    fields.sort();
    fields
        .into_iter()
        .fold(reqwest::multipart::Form::new(), |form, (name, value)| {
            form.text(name.clone(), value.clone())
        })
        .part("file", file)
}
