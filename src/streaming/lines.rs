//! Incremental, linear-time line splitting for the NDJSON and text decoders (the SSE
//! framer splits its own lines, since it also ends them at a bare `\r`).
//!
//! Bytes are pushed in arbitrary chunks; complete lines are handed to a callback as
//! borrowed slices. Only the unterminated tail of a chunk is copied (into a reused
//! buffer), so every input byte is scanned once and copied at most once, however the
//! stream is chunked.

use std::borrow::Cow;

use memchr::memchr;

/// Push-based splitter that yields complete lines without their terminators. Lines end
/// in `\n` or `\r\n` (the `\r` is stripped); a bare `\r` is ordinary content.
#[derive(Debug, Clone, Default)]
pub struct LineSplitter {
    /// Start of a line whose terminator has not arrived yet; reused across lines.
    partial: Vec<u8>,
}

impl LineSplitter {
    /// Creates a splitter positioned at the start of a body.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds a chunk, calling `on_line` for every line it completes, in order.
    pub fn push(&mut self, mut chunk: &[u8], mut on_line: impl FnMut(&[u8])) {
        loop {
            let Some((line, rest)) = memchr(b'\n', chunk).and_then(|i| split_line(chunk, i)) else {
                self.partial.extend_from_slice(chunk);
                return;
            };
            self.complete(line, &mut on_line);
            chunk = rest;
        }
    }

    /// Ends the input: an unterminated last line, if any, is passed to `on_line`.
    pub fn finish(&mut self, mut on_line: impl FnMut(&[u8])) {
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

    fn complete(&mut self, line: &[u8], on_line: &mut impl FnMut(&[u8])) {
        if self.partial.is_empty() {
            on_line(strip_cr(line));
        } else {
            self.partial.extend_from_slice(line);
            on_line(strip_cr(&self.partial));
            // `clear` keeps the capacity, so long-line streams stop reallocating.
            self.partial.clear();
        }
    }
}

/// Splits `chunk` around the terminator at `at` into (line, rest).
fn split_line(chunk: &[u8], at: usize) -> Option<(&[u8], &[u8])> {
    let (line, tail) = chunk.split_at_checked(at)?;
    Some((line, tail.get(1..)?))
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

    fn split(chunks: &[&[u8]]) -> Vec<String> {
        let mut splitter = LineSplitter::new();
        let mut out = Vec::new();
        for chunk in chunks {
            splitter.push(chunk, |l| out.push(String::from_utf8_lossy(l).into_owned()));
        }
        splitter.finish(|l| out.push(String::from_utf8_lossy(l).into_owned()));
        out
    }

    #[test]
    fn lf_and_crlf_terminated_lines() {
        assert_eq!(split(&[b"a\nb\r\nc\n"]), ["a", "b", "c"]);
    }

    #[test]
    fn crlf_split_across_chunks_strips_cr() {
        assert_eq!(split(&[b"a\r", b"\nb\n"]), ["a", "b"]);
    }

    #[test]
    fn bare_cr_is_content() {
        assert_eq!(split(&[b"a\rb\n"]), ["a\rb"]);
    }

    #[test]
    fn unterminated_last_line_emitted_at_finish() {
        assert_eq!(split(&[b"a\nb"]), ["a", "b"]);
        assert_eq!(split(&[b"a\nb\r"]), ["a", "b"]);
    }

    #[test]
    fn empty_lines_are_reported() {
        assert_eq!(split(&[b"\n\na\n\n"]), ["", "", "a", ""]);
    }

    #[test]
    fn finish_without_pending_line_emits_nothing() {
        assert!(split(&[b"a\n"]).len() == 1);
        assert!(split(&[]).is_empty());
    }

    #[test]
    fn line_spanning_many_chunks_is_reassembled() {
        let chunks: Vec<&[u8]> = b"hello world\r\n".chunks(1).collect();
        assert_eq!(split(&chunks), ["hello world"]);
    }

    #[test]
    fn long_line_in_one_byte_chunks_costs_linear_time() {
        let mut splitter = LineSplitter::new();
        let mut lens = Vec::new();
        for _ in 0..(256 << 10) {
            splitter.push(b"y", |l| lens.push(l.len()));
        }
        splitter.push(b"\r\n", |l| lens.push(l.len()));
        assert_eq!(lens, [256 << 10]);
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
