//! Finding the end of an SSE line and learning, in the same pass, whether the line is
//! ASCII: the framer then needs no separate UTF-8 pass over the common (ASCII) stream.

/// The index of the first `\n` or `\r` in `hay` (`hay.len()` when there is none), and
/// whether every byte before it is ASCII.
#[inline]
pub(crate) fn find(hay: &[u8]) -> (usize, bool) {
    #[cfg(target_arch = "x86_64")]
    {
        if hay.len() >= 32 && std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { avx2::find(hay) };
        }
    }
    portable(hay)
}

/// Two passes, each already vectorized by `memchr` and the standard library.
fn portable(hay: &[u8]) -> (usize, bool) {
    let end = memchr::memchr2(b'\n', b'\r', hay).unwrap_or(hay.len());
    (end, hay.get(..end).is_some_and(<[u8]>::is_ascii))
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
        _mm256_setr_epi8, _mm256_setzero_si256, _mm256_shuffle_epi8,
    };

    /// Looks up each byte's low nibble and compares the entry with the byte: only `\n`
    /// (0x0A) and `\r` (0x0D) find themselves. Every other entry differs in its low nibble
    /// from every byte that selects it, and bytes with the high bit set look up 0.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn terminators(v: __m256i) -> u32 {
        let table = _mm256_setr_epi8(
            1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0A, 0, 0, 0x0D, 0, 0, //
            1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0A, 0, 0, 0x0D, 0, 0,
        );
        _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_shuffle_epi8(table, v), v)) as u32
    }

    /// Bits set where a byte is not ASCII.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn high(v: __m256i) -> u32 {
        _mm256_movemask_epi8(v) as u32
    }

    /// The answer for a terminator at bit `bit` of the block at `at`, whose bytes are `v`;
    /// `seen` has every earlier byte ORed in.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn found(at: usize, bit: u32, v: __m256i, seen: __m256i) -> (usize, bool) {
        let before = high(v) & ((1u32 << bit) - 1);
        (at + bit as usize, before == 0 && high(seen) == 0)
    }

    /// [`super::find`] for `hay.len() >= 32`, 64 bytes per step, the last block
    /// overlapping the one before so no byte is read outside `hay`.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn find(hay: &[u8]) -> (usize, bool) {
        let len = hay.len();
        debug_assert!(len >= 32);
        let ptr = hay.as_ptr();
        // In bounds: every caller keeps `at + 32 <= len`.
        let load = |at: usize| _mm256_loadu_si256(ptr.add(at).cast::<__m256i>());
        let mut seen = _mm256_setzero_si256();
        let mut at = 0;
        while at + 64 <= len {
            let (a, b) = (load(at), load(at + 32));
            let (ta, tb) = (terminators(a), terminators(b));
            if ta | tb != 0 {
                if ta != 0 {
                    return found(at, ta.trailing_zeros(), a, seen);
                }
                return found(at + 32, tb.trailing_zeros(), b, _mm256_or_si256(seen, a));
            }
            seen = _mm256_or_si256(seen, _mm256_or_si256(a, b));
            at += 64;
        }
        if at + 32 <= len {
            let a = load(at);
            let ta = terminators(a);
            if ta != 0 {
                return found(at, ta.trailing_zeros(), a, seen);
            }
            seen = _mm256_or_si256(seen, a);
            at += 32;
        }
        if at == len {
            return (len, high(seen) == 0);
        }
        // The last 32 bytes; those before `at` were searched already (and are in `seen`,
        // so counting their high bits again changes nothing).
        let last = len - 32;
        let v = load(last);
        let fresh = terminators(v) & (u32::MAX << (at - last));
        if fresh == 0 {
            return (len, high(_mm256_or_si256(seen, v)) == 0);
        }
        found(last, fresh.trailing_zeros(), v, seen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The obvious byte loop, as the oracle.
    fn oracle(hay: &[u8]) -> (usize, bool) {
        let end = hay
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .unwrap_or(hay.len());
        (end, hay[..end].is_ascii())
    }

    #[test]
    fn every_byte_value_at_every_offset_agrees_with_the_oracle() {
        // Each byte value at each position of haystacks around the block sizes, so the
        // nibble table, the overlapping tail and the high-bit bookkeeping all get exercised.
        for len in [1, 31, 32, 33, 63, 64, 65, 95, 96, 127, 128, 130] {
            for at in 0..len {
                for byte in 0..=255u8 {
                    let mut hay = vec![b'a'; len];
                    hay[at] = byte;
                    assert_eq!(find(&hay), oracle(&hay), "len {len}, {byte:#04x} at {at}");
                    hay.push(b'\n');
                    assert_eq!(
                        find(&hay),
                        oracle(&hay),
                        "len {len}, {byte:#04x} at {at}, LF"
                    );
                }
            }
        }
    }

    /// Mostly ASCII text with rare terminators and rare high bytes, as real streams.
    fn stream_byte() -> impl Strategy<Value = u8> {
        prop_oneof![
            40 => b'a'..=b'z',
            1 => Just(b'\n'),
            1 => Just(b'\r'),
            1 => Just(0x09u8),
            1 => Just(0xC3u8),
            1 => Just(0x8Au8),
        ]
    }

    proptest! {
        #[test]
        fn random_haystacks_agree_with_the_oracle(
            hay in proptest::collection::vec(stream_byte(), 0..300),
            start in 0usize..8,
        ) {
            let hay = &hay[start.min(hay.len())..];
            prop_assert_eq!(find(hay), oracle(hay));
        }
    }

    #[test]
    fn near_misses_are_not_terminators() {
        // Bytes sharing a nibble with `\n` or `\r`, and their high-bit twins.
        let hay: Vec<u8> = [0x1A, 0x1D, 0x8A, 0x8D, 0xFA, 0x0B, 0x0C, 0x09, 0x00]
            .repeat(8)
            .to_vec();
        assert_eq!(find(&hay), (hay.len(), false));
        let mut crlf = hay.clone();
        crlf.extend_from_slice(b"\r\n");
        assert_eq!(find(&crlf), (hay.len(), false));
        assert_eq!(find(b"data: {\"a\": 1}\r\n"), (14, true));
        assert_eq!(find("data: é\n".as_bytes()), (8, false));
        assert_eq!(find(&[b'a'; 100]), (100, true));
        assert_eq!(find(b""), (0, true));
    }
}
