//! The streams behind [`StreamingResponse`](super::StreamingResponse): the body with its
//! idle timeout, the decoder over it, and typed events.
//!
//! They are hand-written `Stream`s rather than `unfold` combinators so that nothing is
//! moved or allocated per item: at a few hundred bytes per chat chunk, the per-event cost
//! of the plumbing shows next to the parsing.

use super::decode::{Decoder, Event, Framing, Item};
use super::{decode_error, typed, ByteStream, Tally};
use crate::error::{Error, ErrorKind, Result};
use bytes::Bytes;
use futures::stream::{BoxStream, Stream, StreamExt};
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// The body as it comes off the connection: counts bytes, names the call in errors, and
/// fails when no bytes arrive for `idle` while the consumer waits for them.
pub(super) struct IdleBody {
    body: Option<BoxStream<'static, reqwest::Result<Bytes>>>,
    idle: Option<Duration>,
    /// When the current wait for bytes began; `None` while the consumer has a chunk.
    waiting_since: Option<Instant>,
    /// Armed at most once per wait and moved forward lazily: it may fire early, and is
    /// then reset to the real deadline, so a busy stream touches the timer rarely.
    timer: Option<Pin<Box<Sleep>>>,
    tally: Arc<Tally>,
}

impl IdleBody {
    pub(super) fn new(
        body: impl Stream<Item = reqwest::Result<Bytes>> + Send + 'static,
        idle: Option<Duration>,
        tally: Arc<Tally>,
    ) -> IdleBody {
        IdleBody {
            body: Some(body.boxed()),
            idle,
            waiting_since: None,
            timer: None,
            tally,
        }
    }

    /// Polls the timer; `Ready` means the body has been idle for the whole limit.
    fn poll_idle(&mut self, idle: Duration, cx: &mut Context<'_>) -> Poll<()> {
        let since = *self.waiting_since.get_or_insert_with(Instant::now);
        let deadline = since + idle;
        loop {
            let timer = self
                .timer
                .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
            if timer.deadline() > deadline {
                timer.as_mut().reset(deadline);
            }
            ready!(timer.as_mut().poll(cx));
            if Instant::now() >= deadline {
                return Poll::Ready(());
            }
            timer.as_mut().reset(deadline);
        }
    }
}

impl Stream for IdleBody {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        let this = self.get_mut();
        let Some(body) = this.body.as_mut() else {
            return Poll::Ready(None);
        };
        match body.poll_next_unpin(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                this.waiting_since = None;
                this.tally
                    .bytes
                    .fetch_add(chunk.len() as u64, Ordering::Relaxed);
                Poll::Ready(Some(Ok(chunk)))
            }
            // A body cut short (a reset, a close before Content-Length) is a transport
            // failure, `Connection`, whatever reqwest calls it.
            Poll::Ready(Some(Err(e))) => {
                this.body = None;
                Poll::Ready(Some(Err(this.tally.fail(Error::from_reqwest(e)))))
            }
            Poll::Ready(None) => {
                this.body = None;
                this.tally.end("eof");
                Poll::Ready(None)
            }
            Poll::Pending => {
                let Some(idle) = this.idle else {
                    return Poll::Pending;
                };
                ready!(this.poll_idle(idle, cx));
                this.body = None;
                let err = Error::new(
                    ErrorKind::Timeout,
                    format!("the stream sent no bytes for {idle:?}"),
                );
                Poll::Ready(Some(Err(this.tally.fail(err))))
            }
        }
    }
}

/// Runs the body through a decoder; ends after `[DONE]`, after the body ends, or after the
/// first transport error or oversized event (which is yielded).
///
/// Only the bytes held for the event being assembled count against `max_event_size`, so a
/// long stream of small events or heartbeats runs for as long as the server keeps it open.
pub(super) struct DecodeStream {
    body: Option<ByteStream>,
    decoder: Decoder,
    max_event_size: usize,
    tally: Option<Arc<Tally>>,
    /// Events yielded, added to the tally once, when the stream is dropped.
    events: u64,
}

impl DecodeStream {
    pub(super) fn new(
        body: ByteStream,
        decoder: Decoder,
        max_event_size: usize,
        tally: Option<Arc<Tally>>,
    ) -> DecodeStream {
        DecodeStream {
            body: Some(body),
            decoder,
            max_event_size,
            tally,
            events: 0,
        }
    }

    pub(super) fn framing(&self) -> Framing {
        self.decoder.framing()
    }

    fn fail(&self, e: Error) -> Error {
        match &self.tally {
            Some(tally) => tally.fail(e),
            None => e,
        }
    }
}

impl DecodeStream {
    /// Ends the stream: the connection and the tally go now, so its span closes when the
    /// stream has nothing more to give, not when it is dropped.
    fn close<R>(&mut self) -> Poll<Option<R>> {
        self.body = None;
        if let Some(tally) = self.tally.take() {
            tally.events.fetch_add(self.events, Ordering::Relaxed);
        }
        Poll::Ready(None)
    }
}

impl Drop for DecodeStream {
    fn drop(&mut self) {
        let _ = self.close::<()>();
    }
}

impl DecodeStream {
    /// Polls for the next item and hands it to `map`, which may skip it (`None`): the
    /// body, the size limit, `[DONE]` and the tally are handled here for every consumer.
    fn poll_with<R>(
        &mut self,
        cx: &mut Context<'_>,
        lend: bool,
        mut map: impl FnMut(Item<'_>) -> Option<Result<R>>,
    ) -> Poll<Option<Result<R>>> {
        loop {
            if let Some(item) = self.decoder.next_item(lend) {
                let done = matches!(item, Item::Owned(Ok(Event::Done)));
                let out = match item {
                    Item::Owned(Err(e)) => Some(Err(self.fail(decode_error(e)))),
                    item => map(item),
                };
                if done {
                    // Nothing after [DONE] matters; drop the connection now.
                    self.body = None;
                    if let Some(tally) = &self.tally {
                        tally.end("done");
                    }
                }
                self.events += 1;
                match out {
                    Some(out) => return Poll::Ready(Some(out)),
                    None => continue,
                }
            }
            if self.decoder.is_done() {
                return self.close();
            }
            let Some(body) = self.body.as_mut() else {
                return self.close();
            };
            // Everything pushed so far is framed now, so what is held is one unfinished
            // event (its complete predecessors in the same chunk were yielded first).
            if self.decoder.held() > self.max_event_size {
                self.body = None;
                let err = Error::new(
                    ErrorKind::Stream,
                    format!(
                        "an event grew past the {} limit (max_event_size) before it was complete",
                        crate::error::human_bytes(self.max_event_size)
                    ),
                );
                return Poll::Ready(Some(Err(self.fail(err))));
            }
            self.decoder.release_input();
            match ready!(body.poll_next_unpin(cx)) {
                Some(Ok(chunk)) => self.decoder.push(chunk),
                Some(Err(e)) => {
                    self.body = None;
                    return Poll::Ready(Some(Err(e)));
                }
                None => {
                    // The next pass drains what finish() completed, then ends: body is gone.
                    self.body = None;
                    self.decoder.finish();
                }
            }
        }
    }
}

impl Stream for DecodeStream {
    type Item = Result<Event>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Event>>> {
        // Events outlive the next poll, so SSE frames are taken (sharing the chunk's
        // storage), not lent.
        self.get_mut().poll_with(cx, false, |item| match item {
            Item::Owned(Ok(event)) => Some(Ok(event)),
            Item::Frame(_) | Item::Owned(Err(_)) => None,
        })
    }
}

/// Each JSON event (SSE data or NDJSON line) deserialized into `T`; other events are
/// skipped, and the stream ends at `[DONE]`.
pub(super) struct Typed<T> {
    events: DecodeStream,
    ndjson: bool,
    _item: PhantomData<fn() -> T>,
}

impl<T> Typed<T> {
    pub(super) fn new(events: DecodeStream) -> Typed<T> {
        Typed {
            ndjson: events.framing() == Framing::Ndjson,
            events,
            _item: PhantomData,
        }
    }
}

impl<T: serde::de::DeserializeOwned> Stream for Typed<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        let this = self.get_mut();
        let ndjson = this.ndjson;
        // SSE frames are deserialized straight from the lent data: no event is built.
        this.events.poll_with(cx, true, |item| match item {
            Item::Frame(frame) => Some(typed::<T>(frame.data())),
            Item::Owned(Ok(Event::Line(line))) if ndjson => Some(typed::<T>(&line)),
            Item::Owned(_) => None,
        })
    }
}
