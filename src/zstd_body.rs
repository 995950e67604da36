//! zstd decoding of control-plane answers, in pure Rust (`ruzstd`), block by block.
//!
//! reqwest's zstd feature builds the C library, about 8 s of a cold release build of this
//! crate on two cores, and creates a context (with two `cpuid` traps on a VM) per answer.
//! Here the body is cut into whole blocks as it arrives and each block is decoded as soon
//! as it is complete, so memory stays at the window plus one block, as with the C
//! decoder; decoders are kept in a small pool so an answer does not allocate tables.

use bytes::{Buf, Bytes, BytesMut};
use futures::Stream;
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};
use std::io::Read;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{ready, Context, Poll};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Decoders kept between answers. A decoder holds its tables and the window buffer of
/// the largest frame it decoded recently, so only a few stay.
static POOL: Mutex<Vec<FrameDecoder>> = Mutex::new(Vec::new());
const POOL_MAX: usize = 4;

/// Decoded bytes yielded per chunk at most, so one small input chunk of a highly
/// compressed answer never turns into one huge allocation before a size cap sees it.
const OUT_CHUNK: usize = 32 * 1024;

/// The largest block content the format allows; a header announcing more is refused
/// before its bytes are waited for.
const MAX_BLOCK: usize = 128 * 1024;

/// The window every frame may ask for, whatever the body cap: encoders use at most 8 MiB
/// unless told to use long-distance matching. A larger one is accepted up to the cap.
const MIN_WINDOW_ALLOWED: usize = 8 * 1024 * 1024;

const MAGIC: u32 = 0xFD2F_B528;

/// A decoder taken from the pool (or made), handed back when dropped.
struct Pooled(FrameDecoder);

impl Pooled {
    fn take(max_window: usize) -> Pooled {
        let reused = POOL.lock().ok().and_then(|mut pool| pool.pop());
        let mut decoder = reused.unwrap_or_default();
        decoder.set_max_window_size(max_window as u64);
        Pooled(decoder)
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        // A half-decoded frame is harmless: the next answer's first frame header resets
        // the decoder. The empty one left behind allocates nothing.
        let decoder = std::mem::take(&mut self.0);
        if let Ok(mut pool) = POOL.lock() {
            if pool.len() < POOL_MAX {
                pool.push(decoder);
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

/// Where the body stands between frames and blocks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum At {
    /// Before a frame's magic number (or at the end of the body).
    FrameStart,
    /// Inside a skippable frame, with this many bytes left to drop.
    Skipping(u64),
    /// Before a block header of a frame whose header was read.
    Block { checksum: bool },
    /// After a frame's last block, with decoded bytes possibly still to hand out.
    FrameEnd { checksum: bool },
}

/// The decoded form of a zstd body: one or more frames (skippable ones dropped), any
/// chunking.
///
/// An empty body decodes to nothing (as reqwest treats it); a body that ends inside a
/// frame, that is not zstd, or whose checksum does not match ends in an error.
pub(crate) struct ZstdBody<S> {
    inner: S,
    decoder: Pooled,
    /// Input not yet decoded.
    input: BytesMut,
    at: At,
    /// Whether the decoder may hold decoded bytes not yet handed out.
    pending: bool,
    done: bool,
}

impl<S> ZstdBody<S> {
    /// Decodes `inner`, refusing frames whose window is over `limit` (or 8 MiB, if more):
    /// decoded bytes wait in the window before they come out, so the window bounds what
    /// is held before a size cap downstream sees it.
    pub(crate) fn new(inner: S, limit: usize) -> ZstdBody<S> {
        ZstdBody {
            inner,
            decoder: Pooled::take(limit.max(MIN_WINDOW_ALLOWED)),
            input: BytesMut::new(),
            at: At::FrameStart,
            pending: false,
            done: false,
        }
    }

    /// Hands out up to [`OUT_CHUNK`] decoded bytes, if the decoder can give any yet.
    fn drain(&mut self) -> Result<Option<Bytes>, BoxError> {
        let decoder = &mut self.decoder.0;
        let ready = decoder.can_collect().min(OUT_CHUNK);
        if ready == 0 {
            self.pending = false;
            return Ok(None);
        }
        let mut out = vec![0; ready];
        let n = decoder
            .read(&mut out)
            .map_err(|e| invalid(&e.to_string()))?;
        out.truncate(n);
        Ok((n > 0).then(|| Bytes::from(out)))
    }

    /// Moves past everything the buffered input holds whole: frame headers, skippable
    /// bytes, blocks and checksums. `Ok(false)` when it needs more input.
    fn advance(&mut self) -> Result<bool, BoxError> {
        match self.at {
            At::FrameStart => {
                let Some(magic) = le_u32(&self.input, 0) else {
                    return Ok(false);
                };
                if magic & 0xFFFF_FFF0 == 0x184D_2A50 {
                    let Some(size) = le_u32(&self.input, 4) else {
                        return Ok(false);
                    };
                    self.input.advance(8);
                    self.at = At::Skipping(u64::from(size));
                    return Ok(true);
                }
                if magic != MAGIC {
                    return Err(invalid("not a zstd frame"));
                }
                let Some(&descriptor) = self.input.get(4) else {
                    return Ok(false);
                };
                let header = frame_header_len(descriptor);
                let Some(mut header_bytes) = self.input.get(..header) else {
                    return Ok(false);
                };
                self.decoder
                    .0
                    .reset(&mut header_bytes)
                    .map_err(|e| invalid(&e.to_string()))?;
                self.input.advance(header);
                self.at = At::Block {
                    checksum: descriptor & 0b100 != 0,
                };
                Ok(true)
            }
            At::Skipping(left) => {
                let n = (self.input.len() as u64).min(left);
                self.input.advance(n as usize);
                self.at = if n == left {
                    At::FrameStart
                } else {
                    At::Skipping(left - n)
                };
                Ok(n == left)
            }
            At::Block { checksum } => {
                let Some(header) = self.input.get(..3) else {
                    return Ok(false);
                };
                let header = u32::from_le_bytes([header[0], header[1], header[2], 0]);
                let last = header & 1 == 1;
                let size = (header >> 3) as usize;
                let content = match (header >> 1) & 0b11 {
                    1 => 1,
                    3 => return Err(invalid("reserved block type")),
                    _ => size,
                };
                if size > MAX_BLOCK {
                    return Err(invalid("block larger than the format allows"));
                }
                let whole = 3 + content + if last && checksum { 4 } else { 0 };
                let Some(mut block) = self.input.get(..whole) else {
                    return Ok(false);
                };
                self.decoder
                    .0
                    .decode_blocks(&mut block, BlockDecodingStrategy::UptoBlocks(1))
                    .map_err(|e| invalid(&e.to_string()))?;
                if !block.is_empty() {
                    return Err(invalid("block length disagrees with its content"));
                }
                self.input.advance(whole);
                self.pending = true;
                if last {
                    self.at = At::FrameEnd { checksum };
                }
                Ok(true)
            }
            At::FrameEnd { checksum } => {
                // Reached only once every decoded byte is out, which the checksum covers.
                let decoder = &mut self.decoder.0;
                if checksum && decoder.get_checksum_from_data() != decoder.get_calculated_checksum()
                {
                    return Err(invalid("checksum mismatch"));
                }
                self.at = At::FrameStart;
                Ok(true)
            }
        }
    }
}

/// The little-endian `u32` at `at`, when `bytes` holds all four of its bytes.
fn le_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let word = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(word.try_into().ok()?))
}

/// The length of a frame header (magic number included) from its descriptor byte.
fn frame_header_len(descriptor: u8) -> usize {
    let single_segment = descriptor & 0b10_0000 != 0;
    let window = usize::from(!single_segment);
    let dictionary = [0, 1, 2, 4][usize::from(descriptor & 0b11)];
    let content_size = match descriptor >> 6 {
        0 => usize::from(single_segment),
        1 => 2,
        2 => 4,
        _ => 8,
    };
    4 + 1 + window + dictionary + content_size
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
            let step = if this.pending {
                match this.drain() {
                    Ok(Some(chunk)) => return Poll::Ready(Some(Ok(chunk))),
                    Ok(None) => continue,
                    Err(e) => Err(e),
                }
            } else {
                this.advance()
            };
            match step {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
            }
            match ready!(Pin::new(&mut this.inner).poll_next(cx)) {
                Some(Ok(chunk)) => this.input.extend_from_slice(&chunk),
                Some(Err(e)) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e.into())));
                }
                None => {
                    this.done = true;
                    if this.at != At::FrameStart || !this.input.is_empty() {
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

    /// A frame as a C-library server sends it, with the content checksum on or off.
    fn compress_with(data: &[u8], level: i32, checksum: bool) -> Vec<u8> {
        let mut cctx = zstd_safe::CCtx::create();
        cctx.set_parameter(zstd_safe::CParameter::CompressionLevel(level))
            .unwrap();
        cctx.set_parameter(zstd_safe::CParameter::ChecksumFlag(checksum))
            .unwrap();
        let mut out = Vec::with_capacity(zstd_safe::compress_bound(data.len()));
        cctx.compress2(&mut out, data).expect("compress");
        out
    }

    fn compress(data: &[u8]) -> Vec<u8> {
        compress_with(data, 3, true)
    }

    fn decode(chunks: Vec<Vec<u8>>) -> Result<Vec<u8>, String> {
        decode_capped(chunks, 1 << 20)
    }

    fn decode_capped(chunks: Vec<Vec<u8>>, limit: usize) -> Result<Vec<u8>, String> {
        let inner = futures::stream::iter(
            chunks
                .into_iter()
                .map(|c| Ok::<_, std::io::Error>(Bytes::from(c))),
        );
        futures::executor::block_on(async {
            let mut body = ZstdBody::new(inner, limit);
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
            let mut body = ZstdBody::new(inner, 1 << 20);
            let _ = body.next().await;
        });
        for _ in 0..POOL_MAX + 1 {
            assert_eq!(decode(vec![wire.clone()]).unwrap(), text(200_000));
        }
    }

    #[test]
    fn skippable_frames_are_dropped_and_checksums_checked() {
        let mut wire = vec![0x5A, 0x2A, 0x4D, 0x18, 5, 0, 0, 0, 1, 2, 3, 4, 5];
        wire.extend(compress_with(b"one", 19, false));
        wire.extend([0x50, 0x2A, 0x4D, 0x18, 0, 0, 0, 0]);
        wire.extend(compress(&text(70_000)));
        let mut expected = b"one".to_vec();
        expected.extend(text(70_000));
        for size in [1, 3, 9, 1000] {
            let chunks = wire.chunks(size).map(<[u8]>::to_vec).collect();
            assert_eq!(decode(chunks).unwrap(), expected, "chunks of {size}");
        }

        // A raw (stored) last block whose byte flips still parses, so only the checksum
        // can tell.
        let mut rng = fastrand::Rng::with_seed(7);
        let data: Vec<u8> = (0..2_000).map(|_| rng.u8(..)).collect();
        let mut flipped = compress(&data);
        let at = flipped.len() - 10;
        flipped[at] ^= 0x01;
        let err = decode(vec![flipped]).unwrap_err();
        assert!(err.contains("checksum mismatch"), "{err}");
    }

    #[test]
    fn a_skippable_frame_cut_short_fails() {
        let err = decode(vec![vec![0x50, 0x2A, 0x4D, 0x18, 9, 0, 0, 0, 1]]).unwrap_err();
        assert!(err.contains("ends inside a frame"), "{err}");
    }

    proptest::proptest! {
        // Whatever arrives, the decoder answers with bytes or an error, never a panic.
        #[test]
        fn any_body_decodes_or_fails_cleanly(
            seed in proptest::collection::vec(proptest::num::u8::ANY, 0..600),
            cut in 0usize..2_000,
            flip in proptest::num::u8::ANY,
            chunk in 1usize..300,
        ) {
            let mut wire = compress_with(&seed.repeat(3), i32::from(flip % 20), flip % 2 == 0);
            if !wire.is_empty() {
                let at = cut % wire.len();
                wire[at] ^= flip;
                wire.truncate(wire.len() - cut % 7);
            }
            let chunks = wire.chunks(chunk).map(<[u8]>::to_vec).collect();
            if let Ok(out) = decode(chunks) {
                proptest::prop_assert!(out.len() <= seed.len() * 3 + 1);
            }
        }
    }

    #[test]
    fn a_window_over_the_cap_and_8_mib_is_refused() {
        // Streamed without a known size, the frame keeps the 2^27-byte window it was given.
        let mut cctx = zstd_safe::CCtx::create();
        cctx.set_parameter(zstd_safe::CParameter::WindowLog(27))
            .unwrap();
        let mut wire = vec![0; 1024];
        let mut out = zstd_safe::OutBuffer::around(&mut wire[..]);
        use zstd_safe::zstd_sys::ZSTD_EndDirective::{ZSTD_e_continue, ZSTD_e_end};
        let mut input = zstd_safe::InBuffer::around(&b"hello"[..]);
        cctx.compress_stream2(&mut out, &mut input, ZSTD_e_continue)
            .unwrap();
        let mut none = zstd_safe::InBuffer::around(&[][..]);
        let left = cctx
            .compress_stream2(&mut out, &mut none, ZSTD_e_end)
            .unwrap();
        assert_eq!(left, 0);
        let n = out.pos();
        wire.truncate(n);
        let body = |limit| decode_capped(vec![wire.clone()], limit);
        let err = body(32 << 20).unwrap_err();
        assert!(err.to_lowercase().contains("window"), "{err}");
        assert_eq!(body(256 << 20).unwrap(), b"hello");
    }
}
