//! Incremental, linear-time line splitting shared by the SSE, NDJSON and text decoders.
//!
//! Bytes are pushed in arbitrary chunks; complete lines are handed to a callback as
//! borrowed slices. Only the unterminated tail of a chunk is copied (into a reused
//! buffer), so every input byte is scanned once and copied at most once, however the
//! stream is chunked.

use std::borrow::Cow;

use memchr::{memchr, memchr2};

/// Which byte sequences end a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineEnding {
    /// `\n` or `\r\n` (the `\r` is stripped); a bare `\r` is ordinary content.
    Lf,
    /// `\n`, `\r\n` or a bare `\r`, as in the WHATWG event-stream grammar.
    Any,
}

/// Push-based splitter that yields complete lines without their terminators.
#[derive(Debug, Clone)]
pub struct LineSplitter {
    ending: LineEnding,
    /// Start of a line whose terminator has not arrived yet; reused across lines.
    partial: Vec<u8>,
    /// The previous chunk ended in `\r` (in `Any` mode): a `\n` opening the next chunk
    /// belongs to that CRLF and must not produce an extra empty line.
    skip_lf: bool,
}

impl LineSplitter {
    /// Creates a splitter for the given line-ending convention.
    pub fn new(ending: LineEnding) -> Self {
        Self {
            ending,
            partial: Vec::new(),
            skip_lf: false,
        }
    }

    /// Feeds a chunk, calling `on_line` for every line it completes, in order.
    pub fn push(&mut self, mut chunk: &[u8], mut on_line: impl FnMut(&[u8])) {
        if self.skip_lf {
            match chunk.split_first() {
                // An empty chunk tells us nothing about the byte after the `\r`.
                None => return,
                Some((b'\n', rest)) => chunk = rest,
                Some(_) => {}
            }
            self.skip_lf = false;
        }
        loop {
            let found = match self.ending {
                LineEnding::Lf => memchr(b'\n', chunk),
                LineEnding::Any => memchr2(b'\n', b'\r', chunk),
            };
            let Some((line, terminator, mut rest)) = found.and_then(|i| split_line(chunk, i))
            else {
                self.partial.extend_from_slice(chunk);
                return;
            };
            if terminator == b'\r' {
                match rest.split_first() {
                    Some((b'\n', after)) => rest = after,
                    None => self.skip_lf = true,
                    Some(_) => {}
                }
            }
            self.complete(line, &mut on_line);
            chunk = rest;
        }
    }

    /// Ends the input: an unterminated last line, if any, is passed to `on_line`.
    pub fn finish(&mut self, mut on_line: impl FnMut(&[u8])) {
        self.skip_lf = false;
        if !self.partial.is_empty() {
            // A trailing `\r` at end of input is most likely a truncated CRLF.
            on_line(strip_cr(&self.partial));
            self.partial.clear();
        }
    }

    /// How many bytes of an unfinished line are buffered.
    pub fn held(&self) -> usize {
        self.partial.len()
    }

    /// Drops any buffered partial line, as if the input restarted.
    pub fn discard(&mut self) {
        self.skip_lf = false;
        self.partial.clear();
    }

    fn complete(&mut self, line: &[u8], on_line: &mut impl FnMut(&[u8])) {
        let strip = self.ending == LineEnding::Lf;
        if self.partial.is_empty() {
            on_line(if strip { strip_cr(line) } else { line });
        } else {
            self.partial.extend_from_slice(line);
            on_line(if strip {
                strip_cr(&self.partial)
            } else {
                &self.partial
            });
            // `clear` keeps the capacity, so long-line streams stop reallocating.
            self.partial.clear();
        }
    }
}

/// Splits `chunk` around the terminator at `at` into (line, terminator byte, rest).
fn split_line(chunk: &[u8], at: usize) -> Option<(&[u8], u8, &[u8])> {
    let (line, tail) = chunk.split_at_checked(at)?;
    let (&terminator, rest) = tail.split_first()?;
    Some((line, terminator, rest))
}

/// Removes one trailing `\r`, the remnant of a CRLF terminator.
fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Decodes UTF-8, replacing invalid sequences with U+FFFD, without copying valid input.
pub fn decode_lossy(bytes: &[u8]) -> Cow<'_, str> {
    // `str::from_utf8` validates several times faster than the `Utf8Chunks` walk inside
    // `String::from_utf8_lossy`, and valid input is the overwhelmingly common case.
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Reports whether a line holds only ASCII whitespace (such lines carry no NDJSON value).
pub fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(ending: LineEnding, chunks: &[&[u8]]) -> Vec<String> {
        let mut splitter = LineSplitter::new(ending);
        let mut out = Vec::new();
        for chunk in chunks {
            splitter.push(chunk, |l| out.push(String::from_utf8_lossy(l).into_owned()));
        }
        splitter.finish(|l| out.push(String::from_utf8_lossy(l).into_owned()));
        out
    }

    #[test]
    fn lf_and_crlf_terminated_lines() {
        assert_eq!(split(LineEnding::Lf, &[b"a\nb\r\nc\n"]), ["a", "b", "c"]);
    }

    #[test]
    fn crlf_split_across_chunks_strips_cr() {
        assert_eq!(split(LineEnding::Lf, &[b"a\r", b"\nb\n"]), ["a", "b"]);
    }

    #[test]
    fn bare_cr_is_content_in_lf_mode() {
        assert_eq!(split(LineEnding::Lf, &[b"a\rb\n"]), ["a\rb"]);
    }

    #[test]
    fn any_mode_accepts_lf_cr_and_crlf() {
        assert_eq!(
            split(LineEnding::Any, &[b"a\nb\rc\r\nd\n"]),
            ["a", "b", "c", "d"]
        );
    }

    #[test]
    fn crlf_split_across_chunks_yields_one_line() {
        assert_eq!(split(LineEnding::Any, &[b"a\r", b"\nb\r"]), ["a", "b"]);
        // An empty chunk between the halves must not lose the pending CR.
        assert_eq!(
            split(LineEnding::Any, &[b"a\r", b"", b"\n", b"\n"]),
            ["a", ""]
        );
    }

    #[test]
    fn cr_cr_is_two_lines() {
        assert_eq!(
            split(LineEnding::Any, &[b"a\r", b"\r", b"b\n"]),
            ["a", "", "b"]
        );
    }

    #[test]
    fn unterminated_last_line_emitted_at_finish() {
        assert_eq!(split(LineEnding::Lf, &[b"a\nb"]), ["a", "b"]);
        assert_eq!(split(LineEnding::Lf, &[b"a\nb\r"]), ["a", "b"]);
    }

    #[test]
    fn empty_lines_are_reported() {
        assert_eq!(split(LineEnding::Lf, &[b"\n\na\n\n"]), ["", "", "a", ""]);
    }

    #[test]
    fn finish_without_pending_line_emits_nothing() {
        assert!(split(LineEnding::Lf, &[b"a\n"]).len() == 1);
        assert!(split(LineEnding::Lf, &[]).is_empty());
    }

    #[test]
    fn line_spanning_many_chunks_is_reassembled() {
        let chunks: Vec<&[u8]> = b"hello world\n".chunks(1).collect();
        assert_eq!(split(LineEnding::Any, &chunks), ["hello world"]);
        assert_eq!(split(LineEnding::Lf, &chunks), ["hello world"]);
    }

    #[test]
    fn long_line_in_one_byte_chunks_costs_linear_time() {
        let mut splitter = LineSplitter::new(LineEnding::Lf);
        let mut lens = Vec::new();
        for _ in 0..(256 << 10) {
            splitter.push(b"y", |l| lens.push(l.len()));
        }
        splitter.push(b"\r\n", |l| lens.push(l.len()));
        assert_eq!(lens, [256 << 10]);
    }

    #[test]
    fn discard_drops_partial_line() {
        let mut splitter = LineSplitter::new(LineEnding::Any);
        splitter.push(b"abc", |_| panic!("no complete line yet"));
        assert_eq!(splitter.partial, b"abc");
        splitter.discard();
        splitter.finish(|_| panic!("partial line was discarded"));
    }

    #[test]
    fn lossy_decoding_borrows_valid_text_and_replaces_invalid_bytes() {
        assert!(matches!(
            decode_lossy("h\u{e9}".as_bytes()),
            Cow::Borrowed("h\u{e9}")
        ));
        assert_eq!(decode_lossy(b"a\xFFb\xE2\x82"), "a\u{FFFD}b\u{FFFD}");
    }

    #[test]
    fn blank_detection() {
        assert!(is_blank(b""));
        assert!(is_blank(b" \t\r"));
        assert!(!is_blank(b" 1 "));
    }
}
