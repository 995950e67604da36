//! Framing-agnostic streaming body decoder: bytes in, [`Event`]s out.
//!
//! The decoder is push/pull and I/O-free so that any transport (an async byte stream,
//! a blocking reader, a test vector) can drive it: call [`Decoder::push`] with each
//! chunk, drain [`Decoder::next_event`] until it returns `None`, and call
//! [`Decoder::finish`] once the body ends. Work per chunk is linear in its length;
//! buffered bytes are never rescanned.

use std::collections::VecDeque;
use std::fmt;
use std::sync::OnceLock;

use bytes::Bytes;
use bytestring::ByteString;
use serde_json::Value;

use super::lines::{decode_lossy, is_blank, LineSplitter};
pub use super::sse::{SseFrame, SseFrameRef, SseParser};

/// Longest excerpt of an offending line kept in a [`DecodeError`], in characters.
const ERROR_EXCERPT_CHARS: usize = 200;

/// How a response body is cut into events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Framing {
    /// `text/event-stream`: Server-Sent Events.
    Sse,
    /// Newline-delimited JSON: one JSON value per non-blank line.
    Ndjson,
    /// Any other text: one event per line.
    Lines,
    /// Opaque bytes: one event per received chunk.
    Bytes,
}

impl Framing {
    /// Picks the framing for a `Content-Type` header value (case-insensitive, parameters ignored).
    pub fn from_content_type(ct: Option<&str>) -> Framing {
        let Some(ct) = ct else {
            return Framing::Bytes;
        };
        let essence = ct.split(';').next().unwrap_or_default().trim();
        let is = |name: &str| essence.eq_ignore_ascii_case(name);
        if is("text/event-stream") {
            Framing::Sse
        } else if is("application/x-ndjson")
            || is("application/ndjson")
            || is("application/jsonl")
            || is("application/x-jsonlines")
            || is("application/jsonlines")
        {
            Framing::Ndjson
        } else if essence
            .get(..5)
            .is_some_and(|t| t.eq_ignore_ascii_case("text/"))
        {
            Framing::Lines
        } else {
            Framing::Bytes
        }
    }
}

/// One decoded item of a streaming body.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// A server-sent event; its data is parsed as JSON only when asked.
    Sse(SseEvent),
    /// One NDJSON line.
    Json(Value),
    /// One line of a text body, without its terminator.
    Line(String),
    /// One chunk of an opaque body, passed through without copying.
    Bytes(Bytes),
    /// The SSE `data: [DONE]` sentinel; the decoder yields nothing after it.
    Done,
}

/// A server-sent event: its type, id and data, with the data parsed as JSON on demand.
///
/// Reading only [`data`](Self::data) costs nothing beyond the framing; [`json`](Self::json)
/// parses once and keeps the value; [`parse`](Self::parse) decodes straight into a type.
#[derive(Debug, Clone)]
pub struct SseEvent {
    frame: SseFrame,
    json: OnceLock<Option<Value>>,
}

impl PartialEq for SseEvent {
    fn eq(&self, other: &Self) -> bool {
        // `retry` is a hint to the reconnect logic, not part of what the event says.
        self.event() == other.event() && self.id() == other.id() && self.data() == other.data()
    }
}

impl SseEvent {
    /// Builds a default (`message`) event carrying `data`, e.g. to test code that consumes
    /// events.
    pub fn new(data: impl Into<String>) -> SseEvent {
        SseEvent::from_frame(SseFrame::new(ByteString::from(data.into())))
    }

    /// Sets the `event` field.
    pub fn with_event(mut self, event: impl Into<String>) -> SseEvent {
        self.frame.set_event(ByteString::from(event.into()));
        self
    }

    /// Sets the `id` field.
    pub fn with_id(mut self, id: impl Into<String>) -> SseEvent {
        self.frame.set_id(ByteString::from(id.into()));
        self
    }

    pub(crate) fn from_frame(frame: SseFrame) -> SseEvent {
        SseEvent {
            frame,
            json: OnceLock::new(),
        }
    }

    /// The `event` field, `None` for the default `message`.
    pub fn event(&self) -> Option<&str> {
        self.frame.event()
    }

    /// The `id` field carried by this event, if any.
    pub fn id(&self) -> Option<&str> {
        self.frame.id()
    }

    /// The event's data lines joined with `\n`.
    pub fn data(&self) -> &str {
        self.frame.data()
    }

    /// Takes the data out.
    pub fn into_data(mut self) -> String {
        // Recycled here, while the frame still tells the data's length. An empty frame holds
        // no allocation; `self` then drops with nothing left to recycle.
        self.recycle_json();
        std::mem::replace(&mut self.frame, SseFrame::new(ByteString::new()))
            .into_data()
            .into()
    }

    /// The data parsed as JSON, or `None` when it is not JSON; parsed on the first call.
    ///
    /// Dropping an event whose JSON was read lets the next event read on the same thread
    /// reuse that value's strings and maps, so a loop that drops each event before taking
    /// the next allocates little (values of data over 8 KiB are not kept).
    pub fn json(&self) -> Option<&Value> {
        self.json
            .get_or_init(|| super::json::parse_reusing(self.frame.data()))
            .as_ref()
    }

    /// Deserializes the data into `T` without building a [`Value`] first; `T` may borrow
    /// from the data.
    ///
    /// # Errors
    ///
    /// serde_json's error when the data is not JSON of that shape.
    pub fn parse<'a, T: serde::Deserialize<'a>>(&'a self) -> serde_json::Result<T> {
        serde_json::from_str(self.frame.data())
    }
}

impl SseEvent {
    /// Hands the parsed value, if any, to the next event's `json()` on this thread.
    fn recycle_json(&mut self) {
        if let Some(Some(value)) = self.json.take() {
            super::json::recycle(value, self.frame.data().len());
        }
    }
}

impl Drop for SseEvent {
    fn drop(&mut self) {
        // Consumers mostly drop each event before reading the next, so its value is kept
        // for the next event on this thread to be read into.
        self.recycle_json();
    }
}

/// What [`Decoder::next_item`] hands out: an SSE frame lent by the parser, or an item.
pub(crate) enum Item<'a> {
    Frame(SseFrameRef<'a>),
    Owned(Result<Event, DecodeError>),
}

/// A line that could not be decoded; the stream continues after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The offending text, truncated to about 200 characters.
    pub line: String,
    /// Why the line was rejected.
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (in line {:?})", self.message, self.line)
    }
}

impl std::error::Error for DecodeError {}

/// Incremental decoder for one response body.
#[derive(Debug, Clone)]
pub struct Decoder {
    framing: Framing,
    state: State,
    /// Decoded items waiting to be taken (SSE frames wait inside the parser instead,
    /// so their JSON is only parsed when, and if, they are taken).
    ready: VecDeque<Result<Event, DecodeError>>,
    done: bool,
    finished: bool,
    /// NDJSON lines come out as [`Event::Line`] text for the caller to deserialize, so
    /// typed consumers skip the intermediate `Value`.
    raw_json: bool,
}

#[derive(Debug, Clone)]
enum State {
    // Boxed: the SSE parser is an order of magnitude larger than the other states.
    Sse(Box<SseParser>),
    Lines(LineSplitter),
    Bytes,
}

impl Decoder {
    /// Creates a decoder for a body with the given framing.
    pub fn new(framing: Framing) -> Self {
        let state = match framing {
            Framing::Sse => State::Sse(Box::default()),
            Framing::Ndjson | Framing::Lines => State::Lines(LineSplitter::new()),
            Framing::Bytes => State::Bytes,
        };
        Self {
            framing,
            state,
            ready: VecDeque::new(),
            done: false,
            finished: false,
            raw_json: false,
        }
    }

    /// A decoder whose NDJSON lines are left as text ([`Event::Line`]).
    pub(crate) fn raw_json(framing: Framing) -> Self {
        Self {
            raw_json: true,
            ..Self::new(framing)
        }
    }

    /// Returns the framing this decoder was created with.
    pub fn framing(&self) -> Framing {
        self.framing
    }

    /// Feeds the next chunk of the body; ignored after [`finish`](Self::finish) or `[DONE]`.
    pub fn push(&mut self, chunk: Bytes) {
        if self.done || self.finished || chunk.is_empty() {
            return;
        }
        let ndjson = self.framing == Framing::Ndjson;
        let raw = self.raw_json;
        let ready = &mut self.ready;
        match &mut self.state {
            State::Sse(parser) => parser.push(chunk),
            State::Lines(lines) => lines.push(&chunk, |line| on_line(ndjson, raw, line, ready)),
            State::Bytes => ready.push_back(Ok(Event::Bytes(chunk))),
        }
    }

    /// Lets go of input that is fully decoded, before the reader fetches more.
    pub(crate) fn release_input(&mut self) {
        if let State::Sse(parser) = &mut self.state {
            parser.release_framed();
        }
    }

    /// Takes the next complete item, or `None` until more input (or `finish`) arrives.
    pub fn next_event(&mut self) -> Option<Result<Event, DecodeError>> {
        if let Item::Owned(item) = self.next_lent()? {
            return Some(item);
        }
        let State::Sse(parser) = &mut self.state else {
            return None;
        };
        let frame = parser.take_lent()?;
        Some(Ok(Event::Sse(SseEvent::from_frame(frame))))
    }

    /// Like [`next_event`](Self::next_event), but with `lend` SSE frames are lent instead
    /// of built into events, for consumers that read the data once (typed events).
    pub(crate) fn next_item(&mut self, lend: bool) -> Option<Item<'_>> {
        if lend {
            self.next_lent()
        } else {
            self.next_event().map(Item::Owned)
        }
    }

    /// The next item, with an SSE frame lent by the parser; ends at `[DONE]`.
    fn next_lent(&mut self) -> Option<Item<'_>> {
        if self.done {
            return None;
        }
        if let Some(item) = self.ready.pop_front() {
            return Some(Item::Owned(item));
        }
        let State::Sse(parser) = &mut self.state else {
            return None;
        };
        if parser.next_frame_ref()?.data().trim() == "[DONE]" {
            self.done = true;
            // Frames behind the sentinel are never surfaced, so free them now.
            parser.clear_ready();
            return Some(Item::Owned(Ok(Event::Done)));
        }
        parser.lent().map(Item::Frame)
    }

    /// Signals the end of the body: flushes an unterminated last line (NDJSON, text) or
    /// discards an unfinished SSE event, per the WHATWG rules.
    pub fn finish(&mut self) {
        if self.finished {
            return;
        }
        self.finished = true;
        let ndjson = self.framing == Framing::Ndjson;
        let raw = self.raw_json;
        let ready = &mut self.ready;
        match &mut self.state {
            State::Sse(parser) => parser.finish(),
            State::Lines(lines) => lines.finish(|line| on_line(ndjson, raw, line, ready)),
            State::Bytes => {}
        }
    }

    /// How many bytes the decoder holds for the event it is assembling; completed events
    /// waiting to be taken, comments and blank lines do not count. SSE input is framed as
    /// events are taken, so read this after [`next_event`](Self::next_event) returns `None`.
    pub fn held(&self) -> usize {
        match &self.state {
            State::Sse(parser) => parser.held(),
            State::Lines(lines) => lines.held(),
            State::Bytes => 0,
        }
    }

    /// Reports whether the SSE `[DONE]` sentinel has been yielded.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The SSE "last event ID" to send as `Last-Event-ID` when reconnecting, if any, as of
    /// the events taken so far.
    pub fn last_event_id(&self) -> Option<&str> {
        match &self.state {
            State::Sse(parser) if !parser.last_event_id().is_empty() => {
                Some(parser.last_event_id())
            }
            _ => None,
        }
    }

    /// The latest SSE `retry` hint in milliseconds, if the server sent one.
    pub fn retry(&self) -> Option<u64> {
        match &self.state {
            State::Sse(parser) => parser.retry(),
            _ => None,
        }
    }
}

/// Turns one complete NDJSON or text line into a queued item.
fn on_line(ndjson: bool, raw: bool, line: &[u8], ready: &mut VecDeque<Result<Event, DecodeError>>) {
    if !ndjson {
        ready.push_back(Ok(Event::Line(decode_lossy(line).into_owned())));
        return;
    }
    if is_blank(line) {
        return;
    }
    if raw {
        ready.push_back(Ok(Event::Line(decode_lossy(line).into_owned())));
        return;
    }
    // Parsing straight from the borrowed slice avoids copying the line first. JSON text is
    // UTF-8, so a line that is not is left to serde_json to report.
    let value = match simdutf8::basic::from_utf8(line) {
        Ok(text) => super::json::parse(text),
        Err(_) => serde_json::from_slice(line),
    };
    ready.push_back(match value {
        Ok(value) => Ok(Event::Json(value)),
        Err(err) => Err(DecodeError {
            line: excerpt(line),
            message: err.to_string(),
        }),
    });
}

/// Lossily decodes at most [`ERROR_EXCERPT_CHARS`] characters of `line`, marking a cut with `…`.
fn excerpt(line: &[u8]) -> String {
    // Decoding only a bounded prefix keeps huge bad lines cheap. A char is at most four
    // bytes, so the prefix holds enough characters, and a character cut at the prefix
    // end sits past the excerpt limit.
    let prefix = line.get(..ERROR_EXCERPT_CHARS * 4 + 4).unwrap_or(line);
    let text = decode_lossy(prefix);
    let mut out: String = text.chars().take(ERROR_EXCERPT_CHARS).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_values_of_small_data_are_kept_for_the_next_event() {
        use super::super::json::{clear_spare, has_spare};
        let big = format!(r#"{{"a":"{}"}}"#, "x".repeat(10_000));
        let small = r#"{"a":"x"}"#;
        // Dropped, or taken apart by `into_data`: the same rule either way.
        for take_data in [false, true] {
            let finish = |event: SseEvent, data: &str| {
                if take_data {
                    assert_eq!(event.into_data(), data);
                } else {
                    drop(event);
                }
            };
            clear_spare();
            let event = SseEvent::new(big.clone());
            assert!(event.json().is_some());
            finish(event, &big);
            assert!(!has_spare(), "kept the value of 10 KB of data");

            let event = SseEvent::new(small);
            assert!(event.json().is_some());
            finish(event, small);
            assert!(has_spare(), "did not keep the value of small data");

            // An event whose JSON was never read has nothing to leave.
            clear_spare();
            finish(SseEvent::new(small), small);
            assert!(!has_spare());
        }
    }

    fn decode_chunks(framing: Framing, chunks: &[&[u8]]) -> Vec<Result<Event, DecodeError>> {
        let mut decoder = Decoder::new(framing);
        let mut out = Vec::new();
        for chunk in chunks {
            decoder.push(Bytes::copy_from_slice(chunk));
            out.extend(std::iter::from_fn(|| decoder.next_event()));
        }
        decoder.finish();
        out.extend(std::iter::from_fn(|| decoder.next_event()));
        out
    }

    fn decode(framing: Framing, input: &[u8]) -> Vec<Result<Event, DecodeError>> {
        decode_chunks(framing, &[input])
    }

    fn sse(data: &str, json: Option<Value>) -> Result<Event, DecodeError> {
        let event = SseEvent::new(data);
        assert_eq!(event.json(), json.as_ref());
        Ok(Event::Sse(event))
    }

    #[test]
    fn framing_from_content_type_sse() {
        for ct in [
            "text/event-stream",
            "Text/Event-Stream; charset=utf-8",
            "  text/event-stream  ;x=y",
        ] {
            assert_eq!(Framing::from_content_type(Some(ct)), Framing::Sse, "{ct}");
        }
    }

    #[test]
    fn framing_from_content_type_ndjson_variants() {
        for ct in [
            "application/x-ndjson",
            "application/jsonl",
            "APPLICATION/NDJSON; charset=utf-8",
            "application/x-jsonlines",
        ] {
            assert_eq!(
                Framing::from_content_type(Some(ct)),
                Framing::Ndjson,
                "{ct}"
            );
        }
    }

    #[test]
    fn framing_from_content_type_text_and_fallbacks() {
        let of = |ct| Framing::from_content_type(ct);
        assert_eq!(of(Some("text/plain; charset=utf-8")), Framing::Lines);
        assert_eq!(of(Some("TEXT/CSV")), Framing::Lines);
        assert_eq!(of(Some("application/json")), Framing::Bytes);
        assert_eq!(of(Some("application/octet-stream")), Framing::Bytes);
        assert_eq!(of(Some("")), Framing::Bytes);
        assert_eq!(of(Some("tex")), Framing::Bytes);
        assert_eq!(of(Some("té")), Framing::Bytes);
        assert_eq!(of(None), Framing::Bytes);
    }

    #[test]
    fn sse_json_is_parsed_when_valid() {
        let out = decode(Framing::Sse, b"data: {\"a\":1}\n\ndata: not json\n\n");
        assert_eq!(
            out,
            [
                sse("{\"a\":1}", Some(json!({"a": 1}))),
                sse("not json", None)
            ]
        );
    }

    #[test]
    fn sse_event_and_id_are_surfaced() {
        let out = decode(Framing::Sse, b"event: delta\nid: 9\ndata: 1\n\n");
        assert_eq!(
            out,
            [Ok(Event::Sse(
                SseEvent::new("1").with_event("delta").with_id("9")
            ))]
        );
    }

    #[test]
    fn done_ends_the_stream() {
        let mut decoder = Decoder::new(Framing::Sse);
        decoder.push(Bytes::from_static(
            b"data: 1\n\ndata: [DONE]\n\ndata: 2\n\n",
        ));
        assert_eq!(decoder.next_event(), Some(sse("1", Some(json!(1)))));
        assert!(!decoder.is_done());
        assert_eq!(decoder.next_event(), Some(Ok(Event::Done)));
        assert!(decoder.is_done());
        assert_eq!(decoder.next_event(), None);
        decoder.push(Bytes::from_static(b"data: 3\n\n"));
        decoder.finish();
        assert_eq!(decoder.next_event(), None);
    }

    #[test]
    fn done_tolerates_surrounding_whitespace() {
        let out = decode(Framing::Sse, b"data:  [DONE] \n\n");
        assert_eq!(out, [Ok(Event::Done)]);
    }

    #[test]
    fn sse_incomplete_frame_is_discarded_at_finish() {
        let out = decode(Framing::Sse, b"data: a\n\ndata: b\n");
        assert_eq!(out, [sse("a", None)]);
    }

    #[test]
    fn sse_reconnect_hints_are_exposed() {
        let mut decoder = Decoder::new(Framing::Sse);
        assert_eq!(decoder.last_event_id(), None);
        decoder.push(Bytes::from_static(b"id: e1\nretry: 250\ndata: x\n\n"));
        // The hints describe the events taken so far.
        assert_eq!(decoder.last_event_id(), None);
        let taken = decoder.next_event();
        assert!(matches!(taken, Some(Ok(Event::Sse(e))) if e.id() == Some("e1")));
        assert_eq!(decoder.last_event_id(), Some("e1"));
        assert_eq!(decoder.retry(), Some(250));
    }

    #[test]
    fn ndjson_values_are_decoded() {
        let out = decode(Framing::Ndjson, b"{\"a\":1}\n[1,2]\r\n\"s\"\nnull\n");
        let want = [json!({"a": 1}), json!([1, 2]), json!("s"), Value::Null];
        assert_eq!(out, want.map(|v| Ok(Event::Json(v))));
    }

    #[test]
    fn ndjson_blank_lines_are_skipped() {
        let out = decode(Framing::Ndjson, b"\n  \n1\n\t\r\n\r\n2\n \n");
        assert_eq!(out, [Ok(Event::Json(json!(1))), Ok(Event::Json(json!(2)))]);
    }

    #[test]
    fn ndjson_invalid_line_is_an_error_and_the_stream_continues() {
        let out = decode(Framing::Ndjson, b"1\n{oops\n2\n");
        assert_eq!(out.len(), 3);
        assert_eq!(out.first(), Some(&Ok(Event::Json(json!(1)))));
        let err = out
            .get(1)
            .cloned()
            .and_then(Result::err)
            .expect("error item");
        assert_eq!(err.line, "{oops");
        assert!(!err.message.is_empty());
        assert_eq!(out.get(2), Some(&Ok(Event::Json(json!(2)))));
    }

    #[test]
    fn ndjson_last_unterminated_line_is_emitted_at_finish() {
        let out = decode_chunks(Framing::Ndjson, &[b"1\n{\"k\":", b"true}"]);
        assert_eq!(
            out,
            [
                Ok(Event::Json(json!(1))),
                Ok(Event::Json(json!({"k": true})))
            ]
        );
    }

    #[test]
    fn ndjson_value_split_inside_multibyte_char() {
        let input = "{\"t\":\"\u{1F600}\u{e9}\"}\n".as_bytes();
        for cut in 0..=input.len() {
            let (a, b) = input.split_at(cut);
            let out = decode_chunks(Framing::Ndjson, &[a, b]);
            assert_eq!(out, [Ok(Event::Json(json!({"t": "\u{1F600}\u{e9}"})))]);
        }
    }

    #[test]
    fn decode_error_line_is_truncated() {
        let long = "é".repeat(500);
        let out = decode(Framing::Ndjson, long.as_bytes());
        let err = out
            .first()
            .cloned()
            .and_then(Result::err)
            .expect("error item");
        assert_eq!(err.line.chars().count(), ERROR_EXCERPT_CHARS + 1);
        assert!(err.line.ends_with('…'));
        assert_eq!(excerpt(b"short"), "short");
        assert_eq!(excerpt(&[b'x'; 200]).len(), 200);
        assert_eq!(excerpt(b"bad \xFF"), "bad \u{FFFD}");
    }

    #[test]
    fn text_lines_keep_empty_lines() {
        let out = decode(Framing::Lines, b"a\n\nb\r\n\xFFc\nlast");
        let lines = ["a", "", "b", "\u{FFFD}c", "last"];
        assert_eq!(out, lines.map(|l| Ok(Event::Line(l.into()))));
    }

    #[test]
    fn bytes_chunks_pass_through_without_copy() {
        let mut decoder = Decoder::new(Framing::Bytes);
        let chunk = Bytes::from(vec![1u8, 2, 3]);
        let ptr = chunk.as_ptr();
        decoder.push(chunk);
        decoder.push(Bytes::new());
        decoder.push(Bytes::from_static(b"\n"));
        decoder.finish();
        match decoder.next_event() {
            Some(Ok(Event::Bytes(b))) => assert_eq!(b.as_ptr(), ptr),
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(
            decoder.next_event(),
            Some(Ok(Event::Bytes(Bytes::from_static(b"\n"))))
        );
        assert_eq!(decoder.next_event(), None);
    }

    #[test]
    fn push_after_finish_is_ignored() {
        let mut decoder = Decoder::new(Framing::Lines);
        decoder.push(Bytes::from_static(b"a"));
        decoder.finish();
        decoder.push(Bytes::from_static(b"b\n"));
        decoder.finish();
        let out: Vec<_> = std::iter::from_fn(|| decoder.next_event()).collect();
        assert_eq!(out, [Ok(Event::Line("a".into()))]);
    }

    #[test]
    fn decode_error_displays_message_and_line() {
        let err = DecodeError {
            line: "x".into(),
            message: "bad".into(),
        };
        assert_eq!(err.to_string(), "bad (in line \"x\")");
    }
}
