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
        __m256i, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8, _mm256_loadu_si256, _mm256_movemask_epi8,
        _mm256_or_si256, _mm256_set1_epi8,
    };

    /// Bits set where a byte may need a closer look: below 0x0E (which takes in `\n` and
    /// `\r`) or above 0x7F. One signed compare finds both, so the common block costs
    /// what `memchr` pays for a single byte.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn unusual(v: __m256i) -> __m256i {
        _mm256_cmpgt_epi8(_mm256_set1_epi8(0x0E), v)
    }

    /// The answer, if the 32 bytes `v` at `at` hold a terminator or a non-ASCII byte.
    /// Every byte before `at` is known to be ASCII and not a terminator, which is what
    /// lets a control byte such as a tab be passed over.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn settle(hay: &[u8], at: usize, v: __m256i) -> Option<(usize, bool)> {
        let terminators = _mm256_movemask_epi8(_mm256_or_si256(
            _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\n' as i8)),
            _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\r' as i8)),
        )) as u32;
        let high = _mm256_movemask_epi8(v) as u32;
        if terminators != 0 {
            let bit = terminators.trailing_zeros();
            return Some((at + bit as usize, high & ((1u32 << bit) - 1) == 0));
        }
        if high != 0 {
            // The line is not ASCII, so only its end is left to find.
            let rest = hay.get(at + 32..).unwrap_or_default();
            let end = memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
            return Some((at + 32 + end, false));
        }
        None
    }

    /// [`super::find`] for `hay.len() >= 32`: 128 bytes per step while they last, then
    /// 32, the last block overlapping the one before so no byte is read outside `hay`.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn find(hay: &[u8]) -> (usize, bool) {
        let len = hay.len();
        debug_assert!(len >= 32);
        let ptr = hay.as_ptr();
        // In bounds: every caller keeps `at + 32 <= len`.
        let load = |at: usize| _mm256_loadu_si256(ptr.add(at).cast::<__m256i>());
        let mut at = 0;
        while at + 128 <= len {
            let blocks = [load(at), load(at + 32), load(at + 64), load(at + 96)];
            let any = _mm256_or_si256(
                _mm256_or_si256(unusual(blocks[0]), unusual(blocks[1])),
                _mm256_or_si256(unusual(blocks[2]), unusual(blocks[3])),
            );
            if _mm256_movemask_epi8(any) != 0 {
                for (k, v) in blocks.into_iter().enumerate() {
                    if let Some(answer) = settle(hay, at + 32 * k, v) {
                        return answer;
                    }
                }
            }
            at += 128;
        }
        while at + 32 <= len {
            let v = load(at);
            if _mm256_movemask_epi8(unusual(v)) != 0 {
                if let Some(answer) = settle(hay, at, v) {
                    return answer;
                }
            }
            at += 32;
        }
        if at == len {
            return (len, true);
        }
        // The last 32 bytes. Those before `at` were searched already and hold neither a
        // terminator nor a high byte, so searching them again cannot change the answer.
        settle(hay, len - 32, load(len - 32)).unwrap_or((len, true))
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
        // Each byte value at each position of haystacks around the 32- and 128-byte steps,
        // so the one-compare filter, the close look at a flagged block, the overlapping
        // tail and the non-ASCII hand-over to memchr all get exercised.
        for len in [
            1, 31, 32, 33, 63, 64, 65, 95, 96, 127, 128, 130, 159, 160, 161, 255, 256, 257,
        ] {
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
