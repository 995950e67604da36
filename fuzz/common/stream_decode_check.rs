//! The fuzz oracle for the streaming decoder, shared with non-fuzz test runners.
//!
//! Input layout: the first byte selects the framing (low 2 bits) and a chunking seed
//! (high 6 bits); the rest is the body. The body is decoded once in a single chunk and
//! once in seeded random chunks (seed 0 means one byte per chunk) with seeded
//! draining, and the outputs must be identical (for `Bytes`, the concatenated bytes).

use bytes::Bytes;

use super::decode_under_test::{DecodeError, Decoder, Event, Framing};

type Output = Vec<Result<Event, DecodeError>>;

/// xorshift64: deterministic, so a crashing input replays exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Runs the oracle on one fuzz input, panicking on any disagreement.
pub fn check(input: &[u8]) {
    let Some((&selector, body)) = input.split_first() else {
        return;
    };
    let framing = match selector & 3 {
        0 => Framing::Sse,
        1 => Framing::Ndjson,
        2 => Framing::Lines,
        _ => Framing::Bytes,
    };
    let seed = u64::from(selector >> 2);
    let whole = decode(framing, &[body], &mut Rng(1));
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ body.len() as u64 | 1);
    let max_chunk = 1usize << (seed % 9);
    let mut chunks = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let size = if seed == 0 {
            1
        } else {
            1 + (rng.next() as usize) % max_chunk
        };
        let (head, tail) = rest.split_at(size.min(rest.len()));
        chunks.push(head);
        rest = tail;
    }
    let chunked = decode(framing, &chunks, &mut rng);
    if framing == Framing::Bytes {
        assert_eq!(concat(&whole), body);
        assert_eq!(concat(&chunked), body);
    } else {
        assert_eq!(whole, chunked, "framing {framing:?}, seed {seed}");
    }
    for item in whole.iter().flatten() {
        match item {
            Event::Sse(sse) => {
                assert!(!sse.data().contains('\r'));
                let parsed: Option<serde_json::Value> = serde_json::from_str(sse.data()).ok();
                assert_eq!(sse.json(), parsed.as_ref());
                // The text form also tells `-0.0` from `0.0` and `1.0` from `1`.
                assert_eq!(
                    sse.json().map(ToString::to_string),
                    parsed.as_ref().map(ToString::to_string)
                );
            }
            Event::Line(line) => assert!(!line.contains('\n')),
            _ => {}
        }
    }
}

/// Pushes `chunks`, draining at random points, and checks the `[DONE]` contract.
fn decode(framing: Framing, chunks: &[&[u8]], rng: &mut Rng) -> Output {
    let mut decoder = Decoder::new(framing);
    let mut out = Vec::new();
    for chunk in chunks {
        decoder.push(Bytes::copy_from_slice(chunk));
        if rng.next() % 3 == 1 {
            drain(&mut decoder, &mut out);
        }
    }
    decoder.finish();
    drain(&mut decoder, &mut out);
    decoder.push(Bytes::from_static(b"data: late\n\n\n"));
    assert!(decoder.next_event().is_none(), "output after finish");
    out
}

fn drain(decoder: &mut Decoder, out: &mut Output) {
    while let Some(item) = decoder.next_event() {
        assert!(
            !matches!(out.last(), Some(Ok(Event::Done))),
            "item after [DONE]"
        );
        assert_eq!(decoder.is_done(), matches!(item, Ok(Event::Done)));
        out.push(item);
    }
}

fn concat(out: &Output) -> Vec<u8> {
    let mut bytes = Vec::new();
    for item in out {
        match item {
            Ok(Event::Bytes(chunk)) => bytes.extend_from_slice(chunk),
            other => panic!("bytes framing yielded {other:?}"),
        }
    }
    bytes
}
