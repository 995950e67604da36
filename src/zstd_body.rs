//! zstd decoding of control-plane answers, with decoder contexts kept for reuse.
//!
//! Creating a zstd context asks the CPU for its features (`cpuid`), which a virtual
//! machine traps to its hypervisor: on the 2-core VM the benches run on that was about
//! 20 µs per context, a fifth of the client CPU of a small control-plane call. reqwest's
//! decoder creates one per answer, so the control plane decodes zstd here instead, from a
//! small process-wide pool; gzip stays with reqwest.

use bytes::{Buf, Bytes};
use futures::Stream;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{ready, Context, Poll};
use zstd_safe::{DCtx, InBuffer, OutBuffer, ResetDirective};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Contexts kept between answers. A context is about 100 KiB plus the window buffer of
/// the largest frame it decoded recently, so only a few stay.
static POOL: Mutex<Vec<DCtx<'static>>> = Mutex::new(Vec::new());
const POOL_MAX: usize = 4;

/// Decoded bytes yielded per chunk at most, so one small input chunk of a highly
/// compressed answer never turns into one huge allocation before a size cap sees it.
const OUT_CHUNK: usize = 32 * 1024;

/// A context taken from the pool (or made), handed back clean when dropped.
struct Pooled(Option<DCtx<'static>>);

impl Pooled {
    fn take() -> Pooled {
        let reused = POOL.lock().ok().and_then(|mut pool| pool.pop());
        Pooled(Some(reused.unwrap_or_else(DCtx::create)))
    }

    fn ctx(&mut self) -> &mut DCtx<'static> {
        self.0.get_or_insert_with(DCtx::create)
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let Some(mut ctx) = self.0.take() else { return };
        // A session reset drops a half-decoded frame; a context that cannot be reset is
        // not reused.
        if ctx.reset(ResetDirective::SessionOnly).is_err() {
            return;
        }
        if let Ok(mut pool) = POOL.lock() {
            if pool.len() < POOL_MAX {
                pool.push(ctx);
            }
        }
    }
}

/// Whether a `Content-Encoding` value is exactly zstd (one coding, any case).
pub(crate) fn is_zstd(value: &reqwest::header::HeaderValue) -> bool {
    value
        .to_str()
        .is_ok_and(|v| v.trim().eq_ignore_ascii_case("zstd"))
}

/// The decoded form of a zstd body: one or more frames, any chunking.
///
/// An empty body decodes to nothing (as reqwest treats it); a body that ends inside a
/// frame, or that is not zstd, ends in an error.
pub(crate) struct ZstdBody<S> {
    inner: S,
    ctx: Pooled,
    /// Input not yet decoded.
    input: Bytes,
    /// zstd's last hint: 0 when the input so far ends on a frame boundary.
    hint: usize,
    /// Whether the last call filled its output, so zstd may hold more to give.
    full: bool,
    seen_input: bool,
    done: bool,
}

impl<S> ZstdBody<S> {
    pub(crate) fn new(inner: S) -> ZstdBody<S> {
        ZstdBody {
            inner,
            ctx: Pooled::take(),
            input: Bytes::new(),
            hint: 0,
            full: false,
            seen_input: false,
            done: false,
        }
    }

    /// One decoding step over the pending input; `None` when it produced nothing.
    fn step(&mut self) -> Result<Option<Bytes>, BoxError> {
        let mut out = Vec::with_capacity(OUT_CHUNK);
        let mut input = InBuffer::around(&self.input);
        let result = self
            .ctx
            .ctx()
            .decompress_stream(&mut OutBuffer::around(&mut out), &mut input);
        let used = input.pos();
        self.input.advance(used);
        match result {
            Ok(hint) => self.hint = hint,
            Err(code) => return Err(invalid(zstd_safe::get_error_name(code))),
        }
        self.full = out.len() == out.capacity();
        if out.is_empty() {
            // zstd makes progress whenever it has room to write; none means a bug
            // somewhere, and looping on it would spin.
            if used == 0 && !self.input.is_empty() {
                return Err(invalid("no progress"));
            }
            return Ok(None);
        }
        Ok(Some(Bytes::from(out)))
    }
}

fn invalid(what: &str) -> BoxError {
    Box::new(std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("zstd answer cannot be decoded: {what}"),
    ))
}

impl<S, E> Stream for ZstdBody<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: Into<BoxError>,
{
    type Item = Result<Bytes, BoxError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            if !this.input.is_empty() || this.full {
                match this.step() {
                    Ok(Some(chunk)) => return Poll::Ready(Some(Ok(chunk))),
                    Ok(None) => {
                        this.full = false;
                        continue;
                    }
                    Err(e) => {
                        this.done = true;
                        return Poll::Ready(Some(Err(e)));
                    }
                }
            }
            match ready!(Pin::new(&mut this.inner).poll_next(cx)) {
                Some(Ok(chunk)) => {
                    this.seen_input |= !chunk.is_empty();
                    this.input = chunk;
                }
                Some(Err(e)) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e.into())));
                }
                None => {
                    this.done = true;
                    if this.seen_input && this.hint != 0 {
                        return Poll::Ready(Some(Err(invalid("the body ends inside a frame"))));
                    }
                    return Poll::Ready(None);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    fn compress(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(zstd_safe::compress_bound(data.len()));
        zstd_safe::compress(&mut out, data, 3).expect("compress");
        out
    }

    fn decode(chunks: Vec<Vec<u8>>) -> Result<Vec<u8>, String> {
        let inner = futures::stream::iter(
            chunks
                .into_iter()
                .map(|c| Ok::<_, std::io::Error>(Bytes::from(c))),
        );
        futures::executor::block_on(async {
            let mut body = ZstdBody::new(inner);
            let mut out = Vec::new();
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(|e| e.to_string())?;
                assert!(chunk.len() <= OUT_CHUNK);
                out.extend_from_slice(&chunk);
            }
            Ok(out)
        })
    }

    fn text(n: usize) -> Vec<u8> {
        (0..n)
            .map(|i| b"{\"id\": 12, \"name\": \"a\"}"[i % 23])
            .collect()
    }

    #[test]
    fn decodes_any_chunking_and_concatenated_frames() {
        let data = text(300_000);
        let mut wire = compress(&data);
        wire.extend(compress(b"tail"));
        let mut expected = data.clone();
        expected.extend_from_slice(b"tail");
        for size in [1, 7, 4096, wire.len()] {
            let chunks = wire.chunks(size).map(<[u8]>::to_vec).collect();
            assert_eq!(decode(chunks).unwrap(), expected, "chunks of {size}");
        }
    }

    #[test]
    fn empty_body_is_empty_and_truncation_or_garbage_fail() {
        assert_eq!(decode(vec![]).unwrap(), b"");
        assert_eq!(decode(vec![vec![]]).unwrap(), b"");
        let wire = compress(&text(10_000));
        let cut = decode(vec![wire[..wire.len() - 3].to_vec()]).unwrap_err();
        assert!(cut.contains("ends inside a frame"), "{cut}");
        let garbage = decode(vec![b"{\"not\": \"zstd\"}".to_vec()]).unwrap_err();
        assert!(garbage.contains("cannot be decoded"), "{garbage}");
    }

    #[test]
    fn a_context_is_reused_clean_after_an_abandoned_frame() {
        let wire = compress(&text(200_000));
        // Half a frame, then dropped: the context goes back to the pool mid-frame.
        let inner = futures::stream::iter(vec![Ok::<_, std::io::Error>(Bytes::from(
            wire[..wire.len() / 2].to_vec(),
        ))]);
        futures::executor::block_on(async {
            let mut body = ZstdBody::new(inner);
            let _ = body.next().await;
        });
        for _ in 0..POOL_MAX + 1 {
            assert_eq!(decode(vec![wire.clone()]).unwrap(), text(200_000));
        }
    }
}
