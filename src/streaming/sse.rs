//! Incremental Server-Sent Events framer following the WHATWG event-stream rules.
//!
//! Rules implemented (HTML Living Standard, "Interpreting an event stream"):
//! - lines end in LF, CR or CRLF, even when a CRLF is split across two chunks;
//! - a UTF-8 byte-order mark at the very start of the stream is dropped;
//! - lines starting with `:` are comments (heartbeats) and ignored;
//! - `name:value` fields lose one leading space of the value; a line without a colon is
//!   a field with an empty value; unknown fields are ignored; names are case-sensitive;
//! - `data` values are joined with `\n`; `event` sets the type; `id` is ignored when it
//!   contains NUL; `retry` is accepted only when it is all ASCII digits;
//! - a blank line dispatches the event only if at least one `data` field was seen, and
//!   always resets the event type;
//! - at end of input an unfinished event (no closing blank line) is discarded.
//!
//! One deliberate difference in what is reported: [`SseFrame::id`] is the `id` carried by
//! that frame, which is what API consumers correlate on; the spec's persistent "last event
//! ID" (used for `Last-Event-ID` on reconnect) is [`SseParser::last_event_id`].
//!
//! Text is decoded per complete field value, so a multi-byte character split across
//! chunks is reassembled first; invalid UTF-8 becomes U+FFFD instead of failing.

use std::collections::VecDeque;
use std::mem;

use memchr::memchr;

use super::lines::{decode_lossy, LineEnding, LineSplitter};

/// The UTF-8 encoding of U+FEFF, which the spec strips from the start of a stream.
const BOM: &[u8; 3] = b"\xEF\xBB\xBF";

/// One dispatched server-sent event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseFrame {
    /// The `event` field, or `None` when absent or empty (meaning the default `message`).
    pub event: Option<String>,
    /// The `id` field carried by this frame, if any (see [`SseParser::last_event_id`]).
    pub id: Option<String>,
    /// All `data` field values of the frame joined with `\n`.
    pub data: String,
    /// The `retry` field of this frame in milliseconds, if present and valid.
    pub retry: Option<u64>,
}

/// Push-based SSE parser: feed bytes with [`push`](Self::push), take frames with
/// [`next_frame`](Self::next_frame).
#[derive(Debug, Clone)]
pub struct SseParser {
    lines: LineSplitter,
    bom: BomState,
    fields: FrameBuilder,
    ready: VecDeque<SseFrame>,
}

/// Progress through the optional leading BOM, which may itself arrive split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BomState {
    /// This many leading bytes matched the BOM so far and were held back.
    Matching(usize),
    Done,
}

/// Field buffers of the event being assembled.
#[derive(Debug, Clone, Default)]
struct FrameBuilder {
    event: Option<String>,
    id: Option<String>,
    data: String,
    /// Distinguishes "no data field yet" from "one empty data field", which dispatches.
    has_data: bool,
    /// `retry` seen in the current frame, reported on its [`SseFrame`].
    frame_retry: Option<u64>,
    /// Stream-wide state that outlives frames, as the spec's reconnect rules need.
    last_event_id: String,
    retry: Option<u64>,
}

impl Default for SseParser {
    fn default() -> Self {
        Self::new()
    }
}

impl SseParser {
    /// Creates a parser positioned at the start of a stream.
    pub fn new() -> Self {
        Self {
            lines: LineSplitter::new(LineEnding::Any),
            bom: BomState::Matching(0),
            fields: FrameBuilder::default(),
            ready: VecDeque::new(),
        }
    }

    /// Feeds the next chunk of the stream; complete frames become available immediately.
    pub fn push(&mut self, chunk: &[u8]) {
        let Some(chunk) = self.strip_bom(chunk) else {
            return;
        };
        let Self {
            lines,
            fields,
            ready,
            ..
        } = self;
        lines.push(chunk, |line| fields.line(line, ready));
    }

    /// Takes the oldest complete frame, if any.
    pub fn next_frame(&mut self) -> Option<SseFrame> {
        self.ready.pop_front()
    }

    /// Ends the input, discarding an unfinished trailing event as the spec requires.
    pub fn finish(&mut self) {
        self.lines.discard();
        let fields = &mut self.fields;
        fields.event = None;
        fields.id = None;
        fields.frame_retry = None;
        fields.data.clear();
        fields.has_data = false;
    }

    /// How many bytes the event being assembled holds: its unfinished line and its
    /// fields so far. Comments, heartbeats and completed frames do not count.
    pub fn held(&self) -> usize {
        let f = &self.fields;
        self.lines.held()
            + f.data.len()
            + f.event.as_ref().map_or(0, String::len)
            + f.id.as_ref().map_or(0, String::len)
    }

    /// Drops every frame that is complete but not yet taken.
    pub fn clear_ready(&mut self) {
        self.ready.clear();
    }

    /// The spec's "last event ID": the latest valid `id`, kept across frames, for reconnects.
    pub fn last_event_id(&self) -> &str {
        &self.fields.last_event_id
    }

    /// The latest valid `retry` value in milliseconds, even from a frame without data.
    pub fn retry(&self) -> Option<u64> {
        self.fields.retry
    }

    /// Consumes a leading BOM (possibly split over chunks); `None` means the chunk was
    /// entirely held back as a possible BOM prefix.
    fn strip_bom<'a>(&mut self, mut chunk: &'a [u8]) -> Option<&'a [u8]> {
        while let BomState::Matching(matched) = self.bom {
            if matched == BOM.len() {
                self.bom = BomState::Done;
                break;
            }
            let (&byte, rest) = chunk.split_first()?;
            if BOM.get(matched) == Some(&byte) {
                self.bom = BomState::Matching(matched + 1);
                chunk = rest;
            } else {
                // Not a BOM after all: replay the bytes held back so far.
                self.bom = BomState::Done;
                let held = BOM.get(..matched).unwrap_or_default();
                let Self {
                    lines,
                    fields,
                    ready,
                    ..
                } = self;
                lines.push(held, |line| fields.line(line, ready));
            }
        }
        Some(chunk)
    }
}

impl FrameBuilder {
    /// Interprets one line (without terminator) of the event stream.
    fn line(&mut self, line: &[u8], ready: &mut VecDeque<SseFrame>) {
        if line.is_empty() {
            self.dispatch(ready);
            return;
        }
        let (name, value) = match memchr(b':', line) {
            Some(0) => return,
            Some(colon) => match line.split_at_checked(colon) {
                Some((name, rest)) => {
                    let value = rest.get(1..).unwrap_or_default();
                    (name, value.strip_prefix(b" ").unwrap_or(value))
                }
                None => return,
            },
            None => (line, &[][..]),
        };
        match name {
            b"data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(&decode_lossy(value));
                self.has_data = true;
            }
            b"event" => {
                self.event = if value.is_empty() {
                    None
                } else {
                    Some(decode_lossy(value).into_owned())
                };
            }
            b"id" if memchr(0, value).is_none() => {
                let id = decode_lossy(value);
                self.last_event_id.clear();
                self.last_event_id.push_str(&id);
                self.id = Some(id.into_owned());
            }
            b"retry" => {
                let ms = parse_retry(value);
                if ms.is_some() {
                    self.frame_retry = ms;
                    self.retry = ms;
                }
            }
            _ => {}
        }
    }

    /// Handles a blank line: emit the frame if it has data, then reset per-frame state.
    fn dispatch(&mut self, ready: &mut VecDeque<SseFrame>) {
        let event = self.event.take();
        let id = self.id.take();
        let retry = self.frame_retry.take();
        if !self.has_data {
            return;
        }
        self.has_data = false;
        ready.push_back(SseFrame {
            event,
            id,
            // `take` hands the allocation to the frame; the next frame's first
            // `push_str` allocates exactly once for the common single-line case.
            data: mem::take(&mut self.data),
            retry,
        });
    }
}

/// Parses a `retry` value, which the spec accepts only as a run of ASCII digits.
fn parse_retry(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // Overflowing u64 (over 500 million years) is ignored rather than saturated.
    std::str::from_utf8(value).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_chunks(chunks: &[&[u8]]) -> Vec<SseFrame> {
        let mut parser = SseParser::new();
        let mut out = Vec::new();
        for chunk in chunks {
            parser.push(chunk);
            while let Some(frame) = parser.next_frame() {
                out.push(frame);
            }
        }
        parser.finish();
        out.extend(std::iter::from_fn(|| parser.next_frame()));
        out
    }

    fn parse(input: &[u8]) -> Vec<SseFrame> {
        parse_chunks(&[input])
    }

    fn data(d: &str) -> SseFrame {
        SseFrame {
            event: None,
            id: None,
            data: d.to_owned(),
            retry: None,
        }
    }

    #[test]
    fn single_event_is_dispatched_on_blank_line() {
        assert_eq!(parse(b"data: hello\n\n"), [data("hello")]);
    }

    #[test]
    fn multiline_data_joined_with_newline() {
        assert_eq!(
            parse(b"data: a\ndata: b\ndata:\ndata: c\n\n"),
            [data("a\nb\n\nc")]
        );
    }

    #[test]
    fn only_one_space_after_colon_is_stripped() {
        assert_eq!(
            parse(b"data:  two\n\ndata:none\n\n"),
            [data(" two"), data("none")]
        );
    }

    #[test]
    fn field_without_colon_has_empty_value() {
        // `data` alone appends an empty line, so an event with empty data is dispatched.
        assert_eq!(parse(b"data\n\n"), [data("")]);
        assert_eq!(parse(b"data\ndata\n\n"), [data("\n")]);
        let frames = parse(b"event:x\nevent\ndata: d\n\n");
        assert_eq!(frames, [data("d")]);
    }

    #[test]
    fn comment_lines_are_ignored() {
        assert_eq!(
            parse(b": keep-alive\ndata: a\n:another\ndata: b\n\n"),
            [data("a\nb")]
        );
    }

    #[test]
    fn heartbeat_only_stream_yields_nothing() {
        assert!(parse(b":\n\n: ping\n\n\n\n").is_empty());
    }

    #[test]
    fn event_id_and_retry_are_kept() {
        let frames = parse(b"event: update\nid: 42\nretry: 1500\ndata: x\n\n");
        assert_eq!(
            frames,
            [SseFrame {
                event: Some("update".into()),
                id: Some("42".into()),
                data: "x".into(),
                retry: Some(1500),
            }]
        );
    }

    #[test]
    fn id_is_per_frame_but_last_event_id_persists() {
        let mut parser = SseParser::new();
        parser.push(b"id: 7\ndata: a\n\ndata: b\n\n");
        assert_eq!(parser.next_frame().map(|f| f.id), Some(Some("7".into())));
        assert_eq!(parser.next_frame().map(|f| f.id), Some(None));
        assert_eq!(parser.last_event_id(), "7");
    }

    #[test]
    fn id_containing_nul_is_ignored() {
        let mut parser = SseParser::new();
        parser.push(b"id: ok\ndata: a\n\nid: b\0d\ndata: b\n\n");
        assert_eq!(parser.next_frame().and_then(|f| f.id), Some("ok".into()));
        assert_eq!(parser.next_frame().and_then(|f| f.id), None);
        assert_eq!(parser.last_event_id(), "ok");
    }

    #[test]
    fn invalid_retry_is_ignored() {
        for bad in [
            &b"retry: 12a\n"[..],
            b"retry: -5\n",
            b"retry:\n",
            b"retry: 1 \n",
        ] {
            let mut input = bad.to_vec();
            input.extend_from_slice(b"data: x\n\n");
            assert_eq!(
                parse(&input),
                [data("x")],
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(
            parse(b"retry: 99999999999999999999999\ndata: x\n\n"),
            [data("x")]
        );
    }

    #[test]
    fn retry_without_data_updates_parser_only() {
        let mut parser = SseParser::new();
        parser.push(b"retry: 3000\n\n");
        assert_eq!(parser.next_frame(), None);
        assert_eq!(parser.retry(), Some(3000));
    }

    #[test]
    fn blank_line_without_data_resets_event_type() {
        assert_eq!(parse(b"event: a\n\ndata: x\n\n"), [data("x")]);
    }

    #[test]
    fn unknown_fields_are_ignored_and_names_are_case_sensitive() {
        assert_eq!(
            parse(b"foo: bar\nDATA: no\nData: no\ndata: yes\n\n"),
            [data("yes")]
        );
    }

    #[test]
    fn cr_lf_and_crlf_line_endings() {
        let expected = [data("a\nb"), data("c")];
        assert_eq!(parse(b"data: a\rdata: b\r\rdata: c\r\r"), expected);
        assert_eq!(
            parse(b"data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n"),
            expected
        );
        assert_eq!(parse(b"data: a\ndata: b\r\rdata: c\r\n\n"), expected);
    }

    #[test]
    fn crlf_split_across_chunks_yields_one_line() {
        // If the LF opening the second chunk counted as its own line, the blank line
        // would dispatch early and `b` would land in a second frame.
        let frames = parse_chunks(&[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]);
        assert_eq!(frames, [data("a\nb")]);
    }

    #[test]
    fn bom_is_stripped_only_at_start() {
        assert_eq!(parse(b"\xEF\xBB\xBFdata: a\n\n"), [data("a")]);
        // A BOM later in the stream is part of the field name, making it unknown.
        assert_eq!(parse(b"data: a\n\n\xEF\xBB\xBFdata: b\n\n"), [data("a")]);
        // Only one BOM is stripped.
        assert!(parse(b"\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\n").is_empty());
    }

    #[test]
    fn bom_split_across_chunks_is_stripped() {
        let frames = parse_chunks(&[b"\xEF", b"", b"\xBB", b"\xBFdata: a\n\n"]);
        assert_eq!(frames, [data("a")]);
    }

    #[test]
    fn partial_bom_prefix_is_replayed_as_content() {
        // EF BB followed by something else is not a BOM; the held bytes are kept.
        let frames = parse_chunks(&[b"\xEF\xBB", b"data: a\n\ndata: b\n\n"]);
        assert_eq!(frames, [data("b")]);
        let frames = parse_chunks(&[b"\xEF", b"\n\ndata: c\n\n"]);
        assert_eq!(frames, [data("c")]);
    }

    #[test]
    fn frame_split_inside_multibyte_utf8_char() {
        let input = "data: h\u{e9}llo \u{1F600}\n\n".as_bytes();
        for cut in 0..=input.len() {
            let (a, b) = input.split_at(cut);
            assert_eq!(
                parse_chunks(&[a, b]),
                [data("h\u{e9}llo \u{1F600}")],
                "cut {cut}"
            );
        }
    }

    #[test]
    fn invalid_utf8_becomes_replacement_char() {
        assert_eq!(
            parse(b"data: a\xFFb\xE2\x82\n\n"),
            [data("a\u{FFFD}b\u{FFFD}")]
        );
    }

    #[test]
    fn incomplete_trailing_frame_is_discarded_at_finish() {
        assert_eq!(parse(b"data: a\n\ndata: b\n"), [data("a")]);
        assert_eq!(parse(b"data: a\n\ndata: b"), [data("a")]);
    }

    #[test]
    fn finish_discards_pending_fields() {
        let mut parser = SseParser::new();
        parser.push(b"event: e\ndata: half");
        parser.finish();
        parser.push(b"data: next\n\n");
        assert_eq!(parser.next_frame(), Some(data("next")));
    }

    #[test]
    fn every_two_way_split_matches_whole_input() {
        let input: &[u8] =
            b"\xEF\xBB\xBF: hi\r\nevent: e\rid: 1\ndata: a\r\ndata:b\r\r\ndata: \xC3\xA9\n\n";
        let whole = parse(input);
        assert_eq!(whole.len(), 2);
        for cut in 0..=input.len() {
            let (a, b) = input.split_at(cut);
            assert_eq!(parse_chunks(&[a, b]), whole, "cut {cut}");
        }
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(parse_chunks(&bytes), whole);
    }

    #[test]
    fn long_line_in_one_byte_chunks_costs_linear_time() {
        // Rescanning the buffered bytes on each push would make this quadratic
        // (tens of billions of byte visits); a linear parser finishes instantly.
        let mut parser = SseParser::new();
        parser.push(b"data: ");
        let filler = [b'x'; 1];
        for _ in 0..(256 << 10) {
            parser.push(&filler);
        }
        parser.push(b"\r");
        parser.push(b"\n\n");
        let frame = parser.next_frame().map(|f| f.data.len());
        assert_eq!(frame, Some(256 << 10));
    }

    #[test]
    fn frames_queue_until_taken() {
        let mut parser = SseParser::new();
        parser.push(b"data: 1\n\ndata: 2\n\n");
        parser.push(b"data: 3\n\n");
        let got: Vec<String> = std::iter::from_fn(|| parser.next_frame())
            .map(|f| f.data)
            .collect();
        assert_eq!(got, ["1", "2", "3"]);
        parser.push(b"data: 4\n\n");
        parser.clear_ready();
        assert_eq!(parser.next_frame(), None);
    }
}
