//! Pages of results and the streams that walk them.

use crate::error::Result;
use futures::stream::{self, BoxStream, StreamExt};
use std::future::Future;

/// One page of an offset-paged list (`skip`/`limit`).
///
/// # Examples
///
/// ```no_run
/// # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
/// let mut skip = 0;
/// loop {
///     let page = client.secrets().list().skip(skip).limit(50).send().await?;
///     for secret in &page.items {
///         println!("{}", *secret.name);
///     }
///     if !page.has_more() {
///         break;
///     }
///     skip += page.items.len() as u64;
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// The total number of items across pages, when the API reports it.
    pub total: Option<u64>,
    /// How many items were skipped before this page.
    pub skip: u64,
    /// The page size asked for.
    pub limit: u64,
}

impl<T> Page<T> {
    /// Builds a page from an API answer whose total is a signed count.
    pub(crate) fn from_count(items: Vec<T>, count: i64, skip: u64, limit: u64) -> Page<T> {
        Page {
            items,
            total: u64::try_from(count).ok(),
            skip,
            limit,
        }
    }

    /// The same page with each item converted.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            skip: self.skip,
            limit: self.limit,
        }
    }

    /// Whether a later page may hold more items.
    pub fn has_more(&self) -> bool {
        match self.total {
            Some(total) => self.skip + (self.items.len() as u64) < total,
            None => self.items.len() as u64 >= self.limit && self.limit > 0,
        }
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// One page of a cursor-paged list.
///
/// # Examples
///
/// ```no_run
/// # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
/// let mut page = client.groups().services("llm").limit(100).send().await?;
/// loop {
///     for service in &page.items {
///         println!("{}", service.name);
///     }
///     match page.next_cursor.take().filter(|_| page.has_more) {
///         Some(cursor) => page = client.groups().services("llm").limit(100).cursor(cursor).send().await?,
///         None => break,
///     }
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CursorPage<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// Pass this back to get the next page; `None` on the last page.
    pub next_cursor: Option<String>,
    /// Whether a later page exists.
    pub has_more: bool,
}

impl<T> CursorPage<T> {
    /// The same page with each item converted.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> CursorPage<U> {
        CursorPage {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
            has_more: self.has_more,
        }
    }
}

impl<T> IntoIterator for CursorPage<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// A stream of items fetched page by page, lazily, as it is polled; every list request's
/// `stream()` returns one (the blocking client returns an `Iterator` instead).
///
/// A failed page is an `Err` item, after which the stream ends; dropping the stream stops
/// the fetching.
///
/// # Examples
///
/// ```no_run
/// use futures::{StreamExt, TryStreamExt};
///
/// # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
/// // Every enrollment, 50 per request.
/// let all: Vec<_> = client.enrollments().list().limit(50).stream().try_collect().await?;
///
/// // The first ten services whose name mentions "mini", fetching only the pages needed.
/// let mut services = client.groups().services("llm").search("mini").stream().take(10);
/// while let Some(service) = services.next().await {
///     println!("{}", service?.name);
/// }
/// # let _ = all;
/// # Ok(())
/// # }
/// ```
pub type ItemStream<T> = BoxStream<'static, Result<T>>;

/// Walks offset pages from `skip`, calling `fetch(skip, limit)` for each.
pub(crate) fn offset_stream<T, F, Fut>(skip: u64, limit: u64, fetch: F) -> ItemStream<T>
where
    T: Send + 'static,
    F: Fn(u64, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let pages = stream::try_unfold(Some(skip), move |next| {
        let fut = next.map(|skip| fetch(skip, limit));
        async move {
            let Some(fut) = fut else { return Ok(None) };
            let page = fut.await?;
            // An empty page ends the walk even if the reported total says otherwise.
            let next = (page.has_more() && !page.items.is_empty())
                .then(|| page.skip + page.items.len() as u64);
            Ok(Some((page.items, next)))
        }
    });
    flatten(pages)
}

/// Walks cursor pages, calling `fetch(cursor)` for each.
pub(crate) fn cursor_stream<T, F, Fut>(cursor: Option<String>, fetch: F) -> ItemStream<T>
where
    T: Send + 'static,
    F: Fn(Option<String>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<CursorPage<T>>> + Send + 'static,
{
    let pages = stream::try_unfold(Some(cursor), move |state| {
        let fut = state.map(&fetch);
        async move {
            let Some(fut) = fut else { return Ok(None) };
            let page = fut.await?;
            let next = match (page.has_more, page.next_cursor) {
                (true, Some(cursor)) => Some(Some(cursor)),
                _ => None,
            };
            Ok(Some((page.items, next)))
        }
    });
    flatten(pages)
}

fn flatten<T: Send + 'static>(
    pages: impl futures::Stream<Item = Result<Vec<T>>> + Send + 'static,
) -> ItemStream<T> {
    pages
        .map(|page| match page {
            Ok(items) => stream::iter(items.into_iter().map(Ok)).left_stream(),
            Err(e) => stream::iter(std::iter::once(Err(e))).right_stream(),
        })
        .flatten()
        .boxed()
}
