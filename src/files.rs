//! Account files: listing, presigned download links, and presigned uploads.

use crate::args;
use crate::client::Client;
use crate::error::{self, Error, Result};
use crate::http::call;
use crate::open_enums::Scope;
use crate::pagination::{cursor_stream, CursorPage, ItemStream};
use crate::types::{
    AccountFileDownloadResponse, AccountFileObject, AccountFileUploadRequest,
    AccountFileUploadResponse, AccountFilesListResponse,
};
use std::fmt::Display;
use std::time::Duration;

/// Operations on the account's file store (`/files`).
///
/// # Examples
///
/// ```no_run
/// use futures::TryStreamExt;
/// use std::time::Duration;
///
/// # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
/// let key = client.files().upload_bytes("reports/q1.csv", b"a,b\n1,2\n".to_vec(), "text/csv").await?;
/// let bytes = client.files().download_bytes(&key).await?;
/// let link = client.files().download_url(&key).expires_in(Duration::from_secs(300)).send().await?;
/// let keys: Vec<_> = client.files().list().path("reports/").stream().map_ok(|o| o.key).try_collect().await?;
/// # let _ = (bytes, link, keys);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Files {
    client: Client,
}

impl Client {
    /// The account's file store.
    pub fn files(&self) -> Files {
        Files {
            client: self.clone(),
        }
    }
}

impl Files {
    /// Starts a list request over personal files: 100 keys per page, from the root.
    pub fn list(&self) -> ListFiles {
        ListFiles {
            client: self.client.clone(),
            scope: Scope::Personal,
            path: String::new(),
            max_keys: 100,
            continuation_token: None,
        }
    }

    /// Starts a request for a time-limited download URL of the personal file `key`.
    pub fn download_url(&self, key: impl Into<String>) -> DownloadUrl {
        DownloadUrl {
            client: self.client.clone(),
            key: key.into(),
            scope: Scope::Personal,
            expires_in: Duration::from_secs(900),
        }
    }

    /// Asks for a presigned upload form for one file; the bytes go to the returned URL.
    ///
    /// The response's `fields` must be posted as `multipart/form-data` along with the file,
    /// which [`Files::upload_bytes`] does for you.
    pub async fn upload<B>(&self, request: B) -> Result<AccountFileUploadResponse>
    where
        B: TryInto<AccountFileUploadRequest>,
        B::Error: Display,
    {
        let request: AccountFileUploadRequest = args::body("upload request", request)?;
        args::non_empty("filename", &request.filename)?;
        if request.size < 0 {
            return Err(Error::invalid_input(format!(
                "size must not be negative, got {}",
                request.size
            )));
        }
        self.client.require_key("uploading a file")?;
        call(
            self.client
                .low_level()
                .customer_upload_account_file()
                .body(request)
                .send(),
        )
        .await
    }

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
        let bytes = bytes.into();
        let key = key.trim_start_matches('/');
        let (dir, filename) = key.rsplit_once('/').unwrap_or(("", key));
        if filename.is_empty() {
            return Err(Error::invalid_input(format!(
                "file key {key:?} must end in a file name"
            )));
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
        let ticket = self.upload(request).await?;
        if u64::try_from(ticket.max_bytes).is_ok_and(|max| bytes.len() as u64 > max) {
            return Err(Error::invalid_input(format!(
                "the file is {} bytes; the upload allows at most {}",
                bytes.len(),
                ticket.max_bytes
            )));
        }
        let resp = self
            .client
            .external_request(reqwest::Method::POST, &ticket.url)
            .multipart(upload_form(&ticket, file))
            .send()
            .await
            .map_err(Error::from_reqwest)?;
        if !resp.status().is_success() {
            return Err(error::from_response(resp).await);
        }
        Ok(ticket.key)
    }

    /// Downloads the personal file `key` through a short-lived presigned URL.
    pub async fn download_bytes(&self, key: &str) -> Result<bytes::Bytes> {
        let link = self
            .download_url(key)
            .expires_in(Duration::from_secs(60))
            .send()
            .await?;
        let resp = self
            .client
            .external_request(reqwest::Method::GET, &link.url)
            .send()
            .await
            .map_err(Error::from_reqwest)?;
        if !resp.status().is_success() {
            return Err(error::from_response(resp).await);
        }
        resp.bytes().await.map_err(Error::from_reqwest)
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
        .map_err(|e| Error::invalid_input(format!("invalid content type {content_type:?}: {e}")))
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

/// A request for one page of file listings under a path prefix.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `send()` or `stream()`"]
pub struct ListFiles {
    client: Client,
    scope: Scope,
    path: String,
    max_keys: u64,
    continuation_token: Option<String>,
}

impl ListFiles {
    /// Lists personal (default) or account-shared files.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// Lists only keys under this prefix; deeper "directories" come back as common prefixes.
    pub fn path(mut self, prefix: impl Into<String>) -> Self {
        self.path = prefix.into();
        self
    }

    /// Asks for at most this many objects per page, 1 to 1000 (default 100).
    pub fn max_keys(mut self, max_keys: u64) -> Self {
        self.max_keys = max_keys;
        self
    }

    /// Continues a listing from a previous page's `next_continuation_token`.
    pub fn continuation_token(mut self, token: impl Into<String>) -> Self {
        self.continuation_token = Some(token.into());
        self
    }

    /// Fetches the page, with its common prefixes and continuation token.
    pub async fn send(self) -> Result<AccountFilesListResponse> {
        let max_keys = args::page_size("max_keys", self.max_keys, 1000)?;
        self.client.require_key("listing files")?;
        let mut req = self
            .client
            .low_level()
            .customer_list_account_files()
            .scope(self.scope)
            .path(self.path)
            .max_keys(max_keys);
        if let Some(token) = self.continuation_token {
            req = req.continuation_token(token);
        }
        call(req.send()).await
    }

    /// Streams every object under the prefix (not the common prefixes), page by page.
    pub fn stream(self) -> ItemStream<AccountFileObject> {
        let start = self.continuation_token.clone();
        cursor_stream(start, move |token| {
            let mut req = self.clone();
            req.continuation_token = token;
            async move {
                let page = req.send().await?;
                Ok(CursorPage {
                    items: page.objects,
                    has_more: page.is_truncated,
                    next_cursor: page.next_continuation_token,
                })
            }
        })
    }
}

/// A request for a presigned download URL.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `send()`"]
pub struct DownloadUrl {
    client: Client,
    key: String,
    scope: Scope,
    expires_in: Duration,
}

impl DownloadUrl {
    /// Looks the key up among personal (default) or account-shared files.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// How long the URL stays valid, 60 seconds to one hour (default 15 minutes).
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.expires_in = lifetime;
        self
    }

    /// Fetches the URL.
    pub async fn send(self) -> Result<AccountFileDownloadResponse> {
        args::non_empty("file key", &self.key)?;
        let secs = args::in_range("expires_in seconds", self.expires_in.as_secs(), 60, 3600)?;
        let secs = args::signed("expires_in", secs)?;
        self.client.require_key("downloading a file")?;
        call(
            self.client
                .low_level()
                .customer_download_account_file()
                .key(self.key)
                .scope(self.scope)
                .expires_in(secs)
                .send(),
        )
        .await
    }
}
