//! `usvc files`: the account's file store, with progress bars for transfers.
//!
//! Transfers go to presigned storage URLs through the SDK client's own HTTP client (TLS set
//! up, no API key), streamed so the bars show bytes actually sent and received.

use crate::args::Paging;
use crate::error::{CliError, CliResult, Failure};
use crate::print::{self, Page, Table};
use crate::Ctx;
use clap::Subcommand;
use futures::{StreamExt, TryStreamExt};
use indicatif::ProgressBar;
use serde_json::json;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;
use unitysvc::low_level::ClientInfo;
use unitysvc::open_enums::Scope;
use unitysvc::types::{AccountFileObject, AccountFileUploadRequest};

/// Subcommands of `usvc files`.
#[derive(Debug, Subcommand)]
pub enum FilesCmd {
    /// List files under a path.
    List {
        /// Only keys under this prefix, e.g. `reports/`.
        #[arg(long, default_value = "")]
        path: String,
        /// List the account's shared files instead of yours.
        #[arg(long)]
        shared: bool,
        #[command(flatten)]
        paging: Paging,
    },
    /// Upload a local file, with a progress bar.
    Upload {
        /// The local file.
        file: PathBuf,
        /// The key to store it under (`dir/name`); defaults to the file's name.
        key: Option<String>,
        /// The content type; guessed from the extension when not given.
        #[arg(long)]
        content_type: Option<String>,
        /// Store it among the account's shared files.
        #[arg(long)]
        shared: bool,
    },
    /// Download a file, with a progress bar.
    Download {
        /// The file's key, e.g. `reports/q1.csv`.
        key: String,
        /// Where to write it (`-` for stdout); defaults to the key's file name.
        #[arg(long, short = 'o')]
        output: Option<PathBuf>,
        /// Look the key up among the account's shared files.
        #[arg(long)]
        shared: bool,
    },
    /// Print a time-limited download link.
    Url {
        /// The file's key.
        key: String,
        /// How long the link stays valid, in seconds (60 to 3600).
        #[arg(long, default_value_t = 900)]
        expires: u64,
        /// Look the key up among the account's shared files.
        #[arg(long)]
        shared: bool,
    },
}

fn scope(shared: bool) -> Scope {
    if shared {
        Scope::Shared
    } else {
        Scope::Personal
    }
}

/// Runs a `usvc files` subcommand.
pub async fn run(ctx: &Ctx, cmd: FilesCmd) -> CliResult {
    match cmd {
        FilesCmd::List {
            path,
            shared,
            paging,
        } => {
            let request = ctx
                .client
                .files()
                .list()
                .scope(scope(shared))
                .path(path)
                .max_keys(paging.limit);
            let (page, prefixes) = if paging.all {
                let items: Vec<AccountFileObject> = request.stream().try_collect().await?;
                (Page::complete(items), Vec::new())
            } else {
                let request = match paging.cursor {
                    Some(token) => request.continuation_token(token),
                    None => request,
                };
                let answer = request.send().await?;
                let page = Page {
                    items: answer.items,
                    next_cursor: answer.next_cursor,
                    has_more: answer.has_more,
                };
                (page, answer.common_prefixes)
            };
            if ctx.json {
                return print::json(&json!({
                    "items": page.items,
                    "next_cursor": page.next_cursor,
                    "has_more": page.has_more,
                    "prefixes": prefixes,
                }));
            }
            page.print(false, |items| {
                let mut table = Table::new(&["KEY", "SIZE", "MODIFIED"]);
                for prefix in &prefixes {
                    table.row(vec![prefix.clone(), "(directory)".to_owned()]);
                }
                for o in items {
                    table.row(vec![
                        o.key.clone(),
                        o.size.to_string(),
                        o.last_modified.clone(),
                    ]);
                }
                table
            })?;
        }
        FilesCmd::Upload {
            file,
            key,
            content_type,
            shared,
        } => upload(ctx, &file, key, content_type, shared).await?,
        FilesCmd::Download {
            key,
            output,
            shared,
        } => download(ctx, &key, output, shared).await?,
        FilesCmd::Url {
            key,
            expires,
            shared,
        } => {
            let link = ctx
                .client
                .files()
                .download_url(&key)
                .scope(scope(shared))
                .expires_in(Duration::from_secs(expires))
                .send()
                .await?;
            if ctx.json {
                return print::json(&link);
            }
            println!("{}", link.url);
        }
    }
    Ok(())
}

async fn upload(
    ctx: &Ctx,
    file: &Path,
    key: Option<String>,
    content_type: Option<String>,
    shared: bool,
) -> CliResult {
    let local = std::fs::File::open(file)
        .map_err(|e| CliError::invalid(format!("cannot open {}: {e}", file.display())))?;
    let size = local.metadata()?.len();
    let key = match key {
        Some(key) => key.trim_start_matches('/').to_owned(),
        None => file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| CliError::invalid(format!("{} has no file name", file.display())))?,
    };
    let (dir, filename) = key.rsplit_once('/').unwrap_or(("", key.as_str()));
    if filename.is_empty() {
        return Err(CliError::invalid(format!(
            "the key {key:?} must end in a file name"
        )));
    }
    let content_type = content_type.unwrap_or_else(|| guess_type(filename).to_owned());
    let ticket = ctx
        .client
        .files()
        .upload(AccountFileUploadRequest {
            content_type: Some(content_type.clone()),
            filename: filename.to_owned(),
            path: dir.to_owned(),
            scope: Some(scope(shared)),
            size: i64::try_from(size).unwrap_or(i64::MAX),
        })
        .await?;
    if u64::try_from(ticket.max_bytes).is_ok_and(|max| size > max) {
        return Err(CliError::invalid(format!(
            "{} is {size} bytes; the upload allows at most {}",
            file.display(),
            ticket.max_bytes
        )));
    }
    let bar = print::bytes_bar(Some(size), format!("uploading {filename}"), ctx.json);
    let body = reqwest::Body::wrap_stream(read_chunks(local, bar.clone()));
    let part = reqwest::multipart::Part::stream_with_length(body, size)
        .file_name(filename.to_owned())
        .mime_str(&content_type)
        .map_err(|_| CliError::invalid(format!("invalid content type {content_type:?}")))?;
    let mut fields: Vec<_> = ticket.fields.iter().collect();
    fields.sort();
    // S3-style forms want the presigned fields first and the file last.
    let form = fields
        .into_iter()
        .fold(reqwest::multipart::Form::new(), |form, (name, value)| {
            form.text(name.clone(), value.clone())
        })
        .part("file", part);
    let http = ctx.client.low_level().client();
    let response = http
        .post(&ticket.url)
        .multipart(form)
        .send()
        .await
        .map_err(transfer_error)?;
    bar.finish_and_clear();
    if !response.status().is_success() {
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.unwrap_or_default();
        return Err(CliError::from_response(status, &headers, &body));
    }
    if ctx.json {
        return print::json(&json!({"key": ticket.key, "bytes": size, "scope": ticket.scope}));
    }
    println!(
        "uploaded {} ({size} bytes) as {}",
        file.display(),
        ticket.key
    );
    Ok(())
}

async fn download(ctx: &Ctx, key: &str, output: Option<PathBuf>, shared: bool) -> CliResult {
    let link = ctx
        .client
        .files()
        .download_url(key)
        .scope(scope(shared))
        .expires_in(Duration::from_secs(60))
        .send()
        .await?;
    let http = ctx.client.low_level().client();
    let response = http.get(&link.url).send().await.map_err(transfer_error)?;
    if !response.status().is_success() {
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.unwrap_or_default();
        return Err(CliError::from_response(status, &headers, &body));
    }
    let to_stdout = output.as_deref() == Some(Path::new("-"));
    let path = match output {
        Some(path) => path,
        None => PathBuf::from(key.rsplit('/').next().unwrap_or(key)),
    };
    let name = key.rsplit('/').next().unwrap_or(key).to_owned();
    let bar = print::bytes_bar(
        response.content_length(),
        format!("downloading {name}"),
        ctx.json,
    );
    let partial = path.with_extension(match path.extension() {
        Some(ext) => format!("{}.part", ext.to_string_lossy()),
        None => "part".to_owned(),
    });
    let mut sink: Box<dyn Write> = if to_stdout {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(std::fs::File::create(&partial).map_err(|e| {
            CliError::new(
                Failure::Other,
                format!("cannot write {}: {e}", partial.display()),
            )
        })?)
    };
    let mut written = 0u64;
    let mut chunks = response.bytes_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(e) => {
                drop(sink);
                if !to_stdout {
                    let _ = std::fs::remove_file(&partial);
                }
                return Err(transfer_error(e));
            }
        };
        sink.write_all(&chunk)?;
        written += chunk.len() as u64;
        bar.inc(chunk.len() as u64);
    }
    sink.flush()?;
    drop(sink);
    bar.finish_and_clear();
    if to_stdout {
        return Ok(());
    }
    std::fs::rename(&partial, &path)?;
    if ctx.json {
        return print::json(&json!({"key": key, "path": path, "bytes": written}));
    }
    println!("downloaded {key} ({written} bytes) to {}", path.display());
    Ok(())
}

/// The file in 64 KiB chunks, counting each one on the bar as the upload takes it.
fn read_chunks(
    file: std::fs::File,
    bar: ProgressBar,
) -> impl futures::Stream<Item = std::io::Result<bytes::Bytes>> + Send + 'static {
    futures::stream::unfold(Some((file, bar)), |state| async move {
        let (mut file, bar) = state?;
        let mut buf = vec![0u8; 64 * 1024];
        match file.read(&mut buf) {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                bar.inc(n as u64);
                Some((Ok(bytes::Bytes::from(buf)), Some((file, bar))))
            }
            Err(e) => Some((Err(e), None)),
        }
    })
}

fn transfer_error(e: reqwest::Error) -> CliError {
    let message = if e.is_timeout() {
        "the file transfer timed out".to_owned()
    } else {
        format!("the file transfer failed: {}", root_cause(&e))
    };
    CliError::new(Failure::Network, message)
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// A content type from common file extensions, else `application/octet-stream`.
fn guess_type(filename: &str) -> &'static str {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "md" => "text/markdown",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "jsonl" | "ndjson" => "application/x-ndjson",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}
