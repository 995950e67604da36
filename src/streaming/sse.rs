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
//! Pushed chunks are framed lazily, one frame per call, so a consumer that stops early (at
//! `[DONE]`) never scans the rest. Each chunk's UTF-8 is checked once, in one vectorized
//! pass, when framing reaches it. A frame whose data is one line inside one chunk is not
//! copied: [`SseParser::next_frame_ref`] lends it straight from the chunk, and
//! [`SseParser::next_frame`] shares the chunk's storage. Only a line cut by a chunk
//! boundary, or a frame with several `data` lines, is assembled in a buffer; a multi-byte
//! character split across chunks is reassembled first. Invalid UTF-8 becomes U+FFFD.

use std::collections::VecDeque;

use super::eol;
use bytes::{Bytes, BytesMut};
use bytestring::ByteString;
use memchr::memchr;

/// The UTF-8 encoding of U+FEFF, which the spec strips from the start of a stream.
const BOM: &[u8; 3] = b"\xEF\xBB\xBF";

/// One dispatched server-sent event. Its text shares the received chunks where it can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseFrame {
    data: ByteString,
    /// The rarer fields live behind one pointer, so a data-only frame stays small to move.
    meta: Option<Box<Meta>>,
}

/// A frame's `event`, `id` and `retry` fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Meta {
    event: Option<ByteString>,
    id: Option<ByteString>,
    retry: Option<u64>,
}

impl Meta {
    fn event(meta: Option<&Meta>) -> Option<&str> {
        meta?.event.as_deref()
    }

    fn id(meta: Option<&Meta>) -> Option<&str> {
        meta?.id.as_deref()
    }

    fn retry(meta: Option<&Meta>) -> Option<u64> {
        meta?.retry
    }
}

impl SseFrame {
    /// A default (`message`) frame carrying `data`.
    pub(crate) fn new(data: ByteString) -> SseFrame {
        SseFrame { data, meta: None }
    }

    /// The `event` field, or `None` when absent or empty (meaning the default `message`).
    pub fn event(&self) -> Option<&str> {
        Meta::event(self.meta.as_deref())
    }

    /// The `id` field carried by this frame, if any (see [`SseParser::last_event_id`]).
    pub fn id(&self) -> Option<&str> {
        Meta::id(self.meta.as_deref())
    }

    /// All `data` field values of the frame joined with `\n`.
    pub fn data(&self) -> &str {
        &self.data
    }

    /// The `retry` field of this frame in milliseconds, if present and valid.
    pub fn retry(&self) -> Option<u64> {
        Meta::retry(self.meta.as_deref())
    }

    /// Takes the data out.
    pub(crate) fn into_data(self) -> ByteString {
        self.data
    }

    /// Sets the `event` field.
    pub(crate) fn set_event(&mut self, event: ByteString) {
        self.meta.get_or_insert_default().event = Some(event);
    }

    /// Sets the `id` field.
    pub(crate) fn set_id(&mut self, id: ByteString) {
        self.meta.get_or_insert_default().id = Some(id);
    }
}

/// A dispatched frame lent by the parser until its next call: no copy, no reference count.
#[derive(Debug, Clone, Copy)]
pub struct SseFrameRef<'a> {
    data: &'a str,
    meta: Option<&'a Meta>,
}

impl<'a> SseFrameRef<'a> {
    /// The `event` field, or `None` when absent or empty (meaning the default `message`).
    pub fn event(&self) -> Option<&'a str> {
        Meta::event(self.meta)
    }

    /// The `id` field carried by this frame, if any.
    pub fn id(&self) -> Option<&'a str> {
        Meta::id(self.meta)
    }

    /// All `data` field values of the frame joined with `\n`.
    pub fn data(&self) -> &'a str {
        self.data
    }

    /// The `retry` field of this frame in milliseconds, if present and valid.
    pub fn retry(&self) -> Option<u64> {
        Meta::retry(self.meta)
    }
}

/// Pull-based SSE parser: feed chunks with [`push`](Self::push), take frames with
/// [`next_frame`](Self::next_frame) or [`next_frame_ref`](Self::next_frame_ref), which
/// frame just enough input to return one.
#[derive(Debug, Clone)]
pub struct SseParser {
    /// The chunk being framed, from `pos` on.
    chunk: Bytes,
    pos: usize,
    /// Every line that begins in `chunk` and ends before `valid` is known to be UTF-8, so
    /// values inside them need no check of their own. It grows as lines are framed.
    valid: usize,
    /// Input queued behind `chunk`.
    input: VecDeque<Input>,
    /// Start of a line whose terminator has not arrived yet.
    partial: BytesMut,
    /// The latest line that spanned chunks, once finished: its data value stays here until
    /// its frame is dispatched and taken, so a lent frame needs no copy or allocation of
    /// its own. `partial` and `line` swap buffers, so neither allocates in a steady stream.
    line: BytesMut,
    /// Every byte in `partial` is ASCII (so it is UTF-8 however the chunks cut it).
    partial_ascii: bool,
    /// The length of the latest line that spanned chunks: the next one likely needs as much.
    partial_hint: usize,
    /// The previous line ended in `\r`: a `\n` opening the next input belongs to that
    /// CRLF and must not produce an extra empty line.
    skip_lf: bool,
    bom: BomState,
    fields: FrameBuilder,
    /// The frame found by the latest scan, until it is taken (a lent frame stays until the
    /// next call; a scan that finds none leaves it empty).
    ready: Option<Ready>,
}

/// A line buffer larger than this is dropped once its line is done, so one huge line
/// does not keep its memory for the rest of the stream.
const LINE_BUFFER_KEPT: usize = 256 * 1024;

/// Queued input.
#[derive(Debug, Clone)]
enum Input {
    Chunk(Bytes),
    /// Where [`SseParser::finish`] was called: an unfinished event ends here.
    End,
}

/// Progress through the optional leading BOM, which may itself arrive split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BomState {
    /// This many leading bytes matched the BOM so far and were held back.
    Matching(usize),
    Done,
}

/// The `data` of the event being assembled.
#[derive(Debug, Clone, Default)]
enum Data {
    /// No `data` field yet (a blank line then dispatches nothing).
    #[default]
    None,
    /// Exactly one `data` field, at `start..end` of the chunk being framed.
    Range { start: usize, end: usize },
    /// Exactly one `data` field, at `start..end` of the parser's last held line (its
    /// line spanned chunks); `utf8` when it is known to be UTF-8.
    Line {
        start: usize,
        end: usize,
        utf8: bool,
    },
    /// Exactly one `data` field, kept apart from the chunk (its chunk was done before the
    /// frame was); `utf8` when it is known to be UTF-8.
    One { bytes: Bytes, utf8: bool },
    /// Several `data` fields joined with `\n`.
    Many(BytesMut),
}

impl Data {
    fn len(&self) -> usize {
        match self {
            Data::None => 0,
            Data::Range { start, end } | Data::Line { start, end, .. } => end - start,
            Data::One { bytes, .. } => bytes.len(),
            Data::Many(b) => b.len(),
        }
    }
}

/// A dispatched frame's data: in the chunk being framed, or text of its own.
#[derive(Debug, Clone)]
enum ReadyData {
    /// `start..end` of the chunk, known to be UTF-8.
    Range {
        start: usize,
        end: usize,
    },
    /// `start..end` of the parser's last held line, known to be UTF-8.
    Line {
        start: usize,
        end: usize,
    },
    Text(ByteString),
}

#[derive(Debug, Clone)]
struct Ready {
    data: ReadyData,
    meta: Option<Box<Meta>>,
}

/// Field buffers of the event being assembled.
#[derive(Debug, Clone, Default)]
struct FrameBuilder {
    event: Option<ByteString>,
    id: Option<ByteString>,
    data: Data,
    /// `retry` seen in the current frame, reported on its [`SseFrame`].
    frame_retry: Option<u64>,
    /// Stream-wide state that outlives frames, as the spec's reconnect rules need.
    last_event_id: ByteString,
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
            chunk: Bytes::new(),
            pos: 0,
            valid: 0,
            input: VecDeque::new(),
            partial: BytesMut::new(),
            line: BytesMut::new(),
            partial_ascii: true,
            partial_hint: 0,
            skip_lf: false,
            bom: BomState::Matching(0),
            fields: FrameBuilder::default(),
            ready: None,
        }
    }

    /// Queues the next chunk of the stream; it is framed as frames are taken.
    #[inline]
    pub fn push(&mut self, mut chunk: Bytes) {
        // Only a stream's first bytes can hold the BOM.
        if self.bom != BomState::Done {
            match self.strip_bom(chunk) {
                Some(rest) => chunk = rest,
                None => return,
            }
        }
        self.queue(chunk);
    }

    /// Frames queued input until one frame is complete and returns it, or returns `None`
    /// when the input so far holds no further complete frame.
    #[inline]
    pub fn next_frame(&mut self) -> Option<SseFrame> {
        self.frame_next()?;
        self.take_ready()
    }

    /// Hands over the frame the latest [`next_frame_ref`](Self::next_frame_ref) lent.
    pub(crate) fn take_lent(&mut self) -> Option<SseFrame> {
        self.take_ready()
    }

    /// Takes the frame out of `ready` as one of its own, sharing the chunk's storage.
    ///
    /// It is read field by field where it lies: moving the whole slot out first copied
    /// it in wider pieces than `scan` had stored it in, which stalled once per frame.
    fn take_ready(&mut self) -> Option<SseFrame> {
        let ready = self.ready.as_mut()?;
        let meta = ready.meta.take();
        let data = match &mut ready.data {
            ReadyData::Line { start, end } => {
                let (start, end) = (*start, *end);
                // A line that fills most of its buffer takes the buffer along; a shorter one
                // is copied, so it never pins a long line's capacity and the buffer is reused.
                let bytes = if self.line.capacity() / 2 > end - start {
                    Bytes::copy_from_slice(self.line.get(start..end).unwrap_or_default())
                } else {
                    self.line.split().freeze().slice(start..end)
                };
                // SAFETY: `line_value` makes `Line` only of a value known to be UTF-8.
                unsafe { ByteString::from_bytes_unchecked(bytes) }
            }
            ReadyData::Range { start, end } => {
                // SAFETY: the range is UTF-8: it lies in a line that `scan` found ASCII or
                // checked (it ends before `valid`), and starts and ends at ASCII bytes (after
                // a colon or space, before a line terminator), so it cuts no character.
                unsafe { ByteString::from_bytes_unchecked(self.chunk.slice(*start..*end)) }
            }
            ReadyData::Text(text) => std::mem::take(text),
        };
        self.ready = None;
        Some(SseFrame { data, meta })
    }

    /// Like [`next_frame`](Self::next_frame), but lends the frame until the next call
    /// instead of handing it over: the cheapest way to read a stream, e.g. to deserialize
    /// each event's data straight into a type.
    #[inline]
    pub fn next_frame_ref(&mut self) -> Option<SseFrameRef<'_>> {
        self.frame_next()?;
        self.lent()
    }

    /// The frame the latest [`next_frame_ref`](Self::next_frame_ref) lent, again.
    pub(crate) fn lent(&self) -> Option<SseFrameRef<'_>> {
        let ready = self.ready.as_ref()?;
        let data = match &ready.data {
            ReadyData::Range { start, end } => {
                let bytes = self.chunk.get(*start..*end).unwrap_or_default();
                // SAFETY: as in `next_frame`: a range of validated UTF-8 between ASCII bytes.
                unsafe { std::str::from_utf8_unchecked(bytes) }
            }
            ReadyData::Line { start, end } => {
                let bytes = self.line.get(*start..*end).unwrap_or_default();
                // SAFETY: `line_value` makes `Line` only of a value known to be UTF-8.
                unsafe { std::str::from_utf8_unchecked(bytes) }
            }
            ReadyData::Text(text) => text,
        };
        Some(SseFrameRef {
            data,
            meta: ready.meta.as_deref(),
        })
    }

    /// Puts the next complete frame in `ready`, or empties it and returns `None` when the
    /// input so far completes no frame.
    #[inline(always)]
    fn frame_next(&mut self) -> Option<()> {
        if self.scan() {
            return Some(());
        }
        self.ready = None;
        None
    }

    /// Frames queued input up to the end of the next complete frame and puts that frame in
    /// `ready`; false when the input so far completes no frame (`ready` is then stale, and
    /// [`frame_next`](Self::frame_next) empties it).
    ///
    /// The frame is stored in place rather than returned: a returned `Ready` went through
    /// a stack slot written field by field and copied in wider pieces, and the copy stalled
    /// on the pending stores once per frame.
    #[inline(always)]
    fn scan(&mut self) -> bool {
        // Once per chunk the reader asks again after the chunk's last frame: answer that
        // here, without entering the framing loop.
        if self.pos >= self.chunk.len() && self.input.is_empty() {
            return false;
        }
        // A line still open from earlier chunks, when one chunk is queued: held on here if
        // that chunk does not end it either (a long event in small chunks), and framed
        // here if it ends as the common event; anything else goes to the framing loop.
        if !self.partial.is_empty() && self.pos >= self.chunk.len() && self.input.len() == 1 {
            if let Some(Input::Chunk(next)) = self.input.front() {
                let (end, ascii) = eol::find(next);
                let ends = end < next.len();
                // The common event again: the held line is a data line, and a blank line
                // follows it, with nothing else pending.
                let common = next.get(end..end + 2) == Some(b"\n\n")
                    && self.fields.is_clear()
                    && data_value_at(&self.partial).is_some();
                if ends && !common {
                    return self.frame_input(Some((end, ascii)));
                }
                let Some(Input::Chunk(next)) = self.input.pop_front() else {
                    return false;
                };
                self.set_chunk(next);
                if !ends {
                    self.hold(end, ascii);
                    return false;
                }
                let utf8 = self.end_held_line(0, end, ascii);
                // Past the line's `\n` and the blank line's; the chunk is checked from there.
                self.pos = end + 2;
                self.valid = self.pos;
                // Read on the whole line: the space after `data:` may be this chunk's.
                let skip = data_value_at(&self.line).unwrap_or(self.line.len());
                let ready = self.held_data_line(skip, utf8);
                return self.lend(ready);
            }
        }
        // The common event, `data: …` and a blank line with nothing else pending, is
        // framed here too, without a call into the framing loop.
        let mut found = None;
        if self.partial.is_empty() && !self.skip_lf && self.fields.is_clear() {
            let rest = self.chunk.get(self.pos..).unwrap_or_default();
            if let Some(skip) = data_value_at(rest) {
                let (end, ascii) = eol::find(rest);
                if rest.get(end..end + 2) == Some(b"\n\n") {
                    let ready = self.lone_data_line(end, skip, ascii);
                    return self.lend(ready);
                }
                // The chunk's last line, cut by its end, waits for the next chunk.
                if end == rest.len() && self.input.is_empty() {
                    self.hold(end, ascii);
                    return false;
                }
                found = Some((end, ascii));
            }
        }
        self.frame_input(found)
    }

    /// Puts `ready` in place for the caller of [`scan`](Self::scan); true.
    #[inline(always)]
    fn lend(&mut self, ready: Ready) -> bool {
        self.ready = Some(ready);
        true
    }

    /// The framing loop of [`scan`](Self::scan); `found` is the terminator search's
    /// answer for the next line searched, when [`scan`](Self::scan) made it already.
    fn frame_input(&mut self, mut found: Option<(usize, bool)>) -> bool {
        loop {
            let Some(rest) = self.chunk.get(self.pos..).filter(|r| !r.is_empty()) else {
                let Some(input) = self.input.pop_front() else {
                    return false;
                };
                match input {
                    Input::Chunk(next) => self.set_chunk(next),
                    Input::End => self.end_event(),
                }
                continue;
            };
            let first = rest.first().copied().unwrap_or_default();
            if self.skip_lf {
                self.skip_lf = false;
                if first == b'\n' {
                    self.step_over_lf();
                    continue;
                }
            }
            // A line that starts with its terminator is blank: it needs no search, and in
            // a real stream it follows nearly every data line.
            let (end, ascii) = match found.take() {
                Some(found) => found,
                None if self.partial.is_empty() && (first == b'\n' || first == b'\r') => (0, true),
                None => eol::find(rest),
            };
            if end == rest.len() {
                self.hold(rest.len(), ascii);
                continue;
            }
            // The line is `\n`-terminated and the next one is blank, as after nearly every
            // data line.
            let blank_next = rest.get(end..end + 2) == Some(b"\n\n");
            // The common event, `data: …` and a blank line with nothing else pending, is
            // framed here without the general line handling.
            if self.partial.is_empty() && blank_next && self.fields.is_clear() {
                if let Some(skip) = rest.get(..end).and_then(data_value_at) {
                    let ready = self.lone_data_line(end, skip, ascii);
                    return self.lend(ready);
                }
            }
            let mut next = end + 1;
            if rest.get(end) == Some(&b'\r') {
                match rest.get(next) {
                    Some(b'\n') => next += 1,
                    None => self.skip_lf = true,
                    Some(_) => {}
                }
            }
            let start = self.pos;
            self.pos += next;
            let line = rest.get(..end).unwrap_or_default();
            let ready = if self.partial.is_empty() {
                // The terminator search told whether the line is ASCII; only other lines
                // need a UTF-8 check.
                if self.valid == start && (ascii || simdutf8::basic::from_utf8(line).is_ok()) {
                    self.valid = self.pos;
                }
                let source = Source {
                    chunk: &self.chunk,
                    valid: self.valid,
                    line: &self.line,
                };
                self.fields.line(line, Origin::Chunk(start), source)
            } else {
                let utf8 = self.end_held_line(start, start + end, ascii);
                // The line began in an earlier chunk and no value points into this chunk
                // from it, so checking this chunk's lines starts after it.
                self.valid = self.pos;
                // The common event again, its data line gathered from several chunks.
                let data_at = data_value_at(&self.line);
                if let (true, Some(skip)) = (blank_next && self.fields.is_clear(), data_at) {
                    self.step_over_lf();
                    let ready = self.held_data_line(skip, utf8);
                    return self.lend(ready);
                }
                let source = Source {
                    chunk: &self.chunk,
                    valid: self.valid,
                    line: &self.line,
                };
                self.fields
                    .line(&self.line, Origin::Line { at: 0, utf8 }, source)
            };
            if let Some(ready) = ready {
                return self.lend(ready);
            }
            // `\n\n`: the next line is blank, as after nearly every data line. Dispatch
            // now rather than take another turn of the loop for it.
            if blank_next {
                self.step_over_lf();
                let source = Source {
                    chunk: &self.chunk,
                    valid: self.valid,
                    line: &self.line,
                };
                if let Some(ready) = self.fields.dispatch(source) {
                    return self.lend(ready);
                }
            }
        }
    }

    /// Frames the `data:` line of `end` bytes at `pos`, followed by `\n\n`, as a frame of
    /// its own; its value starts `skip` bytes in, and `ascii` tells whether it is ASCII.
    #[inline(always)]
    fn lone_data_line(&mut self, end: usize, skip: usize, ascii: bool) -> Ready {
        let start = self.pos;
        let line = self.chunk.get(start..start + end).unwrap_or_default();
        // As in the general path: the checked lines stay contiguous, now past the blank line.
        if self.valid == start && (ascii || simdutf8::basic::from_utf8(line).is_ok()) {
            self.valid = start + end + 2;
        }
        self.pos = start + end + 2;
        let data = chunk_value(&self.chunk, start + skip, start + end, self.valid);
        Ready { data, meta: None }
    }

    /// Frames the `data:` line just gathered in `line`, followed by a blank line, as a frame
    /// of its own; its value starts `skip` bytes in, and `utf8` tells whether it is UTF-8.
    #[inline(always)]
    fn held_data_line(&self, skip: usize, utf8: bool) -> Ready {
        let data = line_value(&self.line, skip, self.line.len(), utf8);
        Ready { data, meta: None }
    }

    /// Ends the held line with `start..end` of the chunk and moves it to `line`, leaving
    /// `partial` empty for the next one; returns whether the line is known to be UTF-8.
    #[inline(always)]
    fn end_held_line(&mut self, start: usize, end: usize, ascii: bool) -> bool {
        self.partial
            .extend_from_slice(self.chunk.get(start..end).unwrap_or_default());
        let utf8 = self.partial_ascii && ascii;
        self.partial_hint = self.partial.len();
        // The buffer of the previous held line is reused for the next one; a value of it
        // still waiting for its blank line gets a copy first.
        if let Data::Line { start, end, utf8 } = self.fields.data {
            self.fields.data = Data::One {
                bytes: Bytes::copy_from_slice(self.line.get(start..end).unwrap_or_default()),
                utf8,
            };
        }
        std::mem::swap(&mut self.partial, &mut self.line);
        self.partial.clear();
        if self.partial.capacity() > LINE_BUFFER_KEPT {
            self.partial = BytesMut::new();
        }
        utf8
    }

    /// Moves past a `\n` at `pos`, which keeps the checked lines contiguous.
    fn step_over_lf(&mut self) {
        if self.valid == self.pos {
            self.valid += 1;
        }
        self.pos += 1;
    }

    /// Keeps the rest of the chunk, `len` bytes without a line terminator, as the start of
    /// a line; `ascii` tells whether they are all ASCII.
    #[inline(always)]
    fn hold(&mut self, len: usize, ascii: bool) {
        let rest = self.chunk.get(self.pos..self.pos + len).unwrap_or_default();
        if self.partial.is_empty() {
            self.partial.reserve(self.partial_hint.max(len));
            self.partial_ascii = true;
        }
        self.partial_ascii &= ascii;
        self.partial.extend_from_slice(rest);
        self.pos += len;
    }

    /// Lets go of the chunk being framed once every byte of it is framed and nothing is
    /// queued behind it, so a reader can free or reuse its buffer before reading the next.
    ///
    /// A chunk from hyper shares its read buffer, which hyper reuses only when no slice
    /// of it is alive: holding the last chunk until the next one arrives cost a second
    /// read buffer (about 300 KiB at the 1 GiB bench's rate). The framer does not do this
    /// by itself: dropping a chunk right after framing it waits for the framing's stores.
    pub(crate) fn release_framed(&mut self) {
        let framed = self.input.is_empty() && self.pos >= self.chunk.len() && self.ready.is_none();
        if !framed || self.chunk.is_empty() {
            return;
        }
        // A short value waiting for its blank line is copied, so it does not keep the
        // chunk alive.
        self.detach_data(true);
        self.chunk = Bytes::new();
        self.pos = 0;
        self.valid = 0;
    }

    /// Moves a data value waiting for its blank line out of the chunk being framed: as a
    /// slice of it, or with `copy_short` as a copy when it is under half the chunk.
    #[inline(always)]
    fn detach_data(&mut self, copy_short: bool) {
        if let Data::Range { start, end } = self.fields.data {
            let bytes = if copy_short && (end - start) * 2 < self.chunk.len() {
                Bytes::copy_from_slice(self.chunk.get(start..end).unwrap_or_default())
            } else {
                self.chunk.slice(start..end)
            };
            self.fields.data = Data::One {
                bytes,
                utf8: end <= self.valid,
            };
        }
    }

    /// Makes `chunk` the one being framed; its lines are checked for UTF-8 as they are found.
    #[inline(always)]
    fn set_chunk(&mut self, chunk: Bytes) {
        // A data value waiting for its blank line keeps its part of the old chunk.
        self.detach_data(false);
        self.valid = 0;
        self.chunk = chunk;
        self.pos = 0;
    }

    /// Drops the unfinished line and event, as the end of input requires.
    fn end_event(&mut self) {
        self.partial.clear();
        self.skip_lf = false;
        let fields = &mut self.fields;
        fields.event = None;
        fields.id = None;
        fields.frame_retry = None;
        fields.data = Data::None;
    }

    /// Ends the input: what is queued is still framed, then an unfinished trailing event
    /// is discarded as the spec requires. Input pushed afterwards starts afresh.
    pub fn finish(&mut self) {
        self.input.push_back(Input::End);
    }

    /// How many bytes the event being assembled holds: its unfinished line and its
    /// fields so far. Comments, heartbeats, completed frames and input not framed yet do
    /// not count; take every frame before reading it.
    pub fn held(&self) -> usize {
        let f = &self.fields;
        self.partial.len()
            + f.data.len()
            + f.event.as_ref().map_or(0, |e| e.len())
            + f.id.as_ref().map_or(0, |i| i.len())
    }

    /// Drops every frame that is complete but not yet taken, and any input not framed yet.
    pub fn clear_ready(&mut self) {
        if let Data::Range { .. } = self.fields.data {
            self.fields.data = Data::None;
        }
        self.input.clear();
        self.chunk = Bytes::new();
        self.pos = 0;
        self.valid = 0;
        self.ready = None;
    }

    /// The spec's "last event ID": the latest valid `id`, kept across frames, for reconnects.
    pub fn last_event_id(&self) -> &str {
        &self.fields.last_event_id
    }

    /// The latest valid `retry` value in milliseconds, even from a frame without data.
    pub fn retry(&self) -> Option<u64> {
        self.fields.retry
    }

    #[inline]
    fn queue(&mut self, chunk: Bytes) {
        if !chunk.is_empty() {
            self.input.push_back(Input::Chunk(chunk));
        }
    }

    /// Consumes a leading BOM (possibly split over chunks); `None` means the chunk was
    /// entirely held back as a possible BOM prefix.
    #[cold]
    fn strip_bom(&mut self, mut chunk: Bytes) -> Option<Bytes> {
        while let BomState::Matching(matched) = self.bom {
            if matched == BOM.len() {
                self.bom = BomState::Done;
                break;
            }
            let &byte = chunk.first()?;
            if BOM.get(matched) == Some(&byte) {
                self.bom = BomState::Matching(matched + 1);
                chunk = chunk.slice(1..);
            } else {
                // Not a BOM after all: replay the bytes held back so far.
                self.bom = BomState::Done;
                let held = BOM.get(..matched).unwrap_or_default();
                self.queue(Bytes::from_static(held));
            }
        }
        Some(chunk)
    }
}

/// The chunk being framed, so values can point into it.
#[derive(Clone, Copy)]
struct Source<'a> {
    chunk: &'a Bytes,
    /// Lines of `chunk` that end before `valid` are known UTF-8.
    valid: usize,
    /// The parser's last held line.
    line: &'a [u8],
}

/// Where a line lies, so its values can share its storage.
#[derive(Clone, Copy)]
enum Origin {
    /// At this offset of the chunk being framed.
    Chunk(usize),
    /// At this offset of the parser's held line (it spanned chunks); `utf8` when the line
    /// is known to be UTF-8.
    Line { at: usize, utf8: bool },
}

impl Origin {
    /// The origin of the part of the line `skip` bytes on.
    fn skip(self, skip: usize) -> Self {
        match self {
            Origin::Chunk(at) => Origin::Chunk(at + skip),
            Origin::Line { at, utf8 } => Origin::Line {
                at: at + skip,
                utf8,
            },
        }
    }
}

impl FrameBuilder {
    /// Nothing of an event is pending: no data, event type, id or retry.
    #[inline(always)]
    fn is_clear(&self) -> bool {
        matches!(self.data, Data::None)
            && self.event.is_none()
            && self.id.is_none()
            && self.frame_retry.is_none()
    }

    /// Interprets one line (without terminator) of the event stream, found at `origin`.
    #[inline(always)]
    fn line(&mut self, line: &[u8], origin: Origin, source: Source<'_>) -> Option<Ready> {
        if line.is_empty() {
            return self.dispatch(source);
        }
        // Nearly every line of a real stream is a data line; skip the colon search.
        if let Some(skip) = data_value_at(line) {
            self.data(
                line.get(skip..).unwrap_or_default(),
                origin.skip(skip),
                source,
            );
            return None;
        }
        let (name, value, skip) = match memchr(b':', line) {
            Some(0) => return None,
            Some(colon) => {
                let skip = colon + 1 + usize::from(line.get(colon + 1) == Some(&b' '));
                (
                    line.get(..colon).unwrap_or_default(),
                    line.get(skip..).unwrap_or_default(),
                    skip,
                )
            }
            None => (line, &[][..], line.len()),
        };
        let at = origin.skip(skip);
        match name {
            b"data" => self.data(value, at, source),
            b"event" => {
                self.event = if value.is_empty() {
                    None
                } else {
                    Some(owned_text(value, at, source))
                };
            }
            b"id" if memchr(0, value).is_none() => {
                let id = owned_text(value, at, source);
                // Kept for the rest of the stream, so a copy rather than a slice that would
                // keep the id's whole read buffer alive.
                self.last_event_id = ByteString::from(&*id);
                self.id = Some(id);
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
        None
    }

    /// Appends one `data` value, found at `at`.
    #[inline(always)]
    fn data(&mut self, value: &[u8], at: Origin, source: Source<'_>) {
        self.data = match std::mem::take(&mut self.data) {
            Data::None => match at {
                Origin::Chunk(start) => Data::Range {
                    start,
                    end: start + value.len(),
                },
                Origin::Line { at, utf8 } => Data::Line {
                    start: at,
                    end: at + value.len(),
                    utf8,
                },
            },
            Data::Range { start, end } => {
                join(source.chunk.get(start..end).unwrap_or_default(), value)
            }
            Data::Line { start, end, .. } => {
                join(source.line.get(start..end).unwrap_or_default(), value)
            }
            Data::One { bytes: first, .. } => join(&first, value),
            Data::Many(mut joined) => {
                joined.extend_from_slice(b"\n");
                joined.extend_from_slice(value);
                Data::Many(joined)
            }
        };
    }

    /// Handles a blank line: emit the frame if it has data, then reset per-frame state.
    #[inline(always)]
    fn dispatch(&mut self, source: Source<'_>) -> Option<Ready> {
        let event = self.event.take();
        let id = self.id.take();
        let retry = self.frame_retry.take();
        let data = match std::mem::take(&mut self.data) {
            Data::None => return None,
            Data::Range { start, end } => chunk_value(source.chunk, start, end, source.valid),
            // SAFETY: `utf8` says the bytes are UTF-8: they are a whole value of a line
            // found ASCII or checked, cut at ASCII bytes.
            Data::One { bytes, utf8: true } => {
                ReadyData::Text(unsafe { ByteString::from_bytes_unchecked(bytes) })
            }
            Data::One { bytes, .. } => ReadyData::Text(checked_text(bytes)),
            Data::Line { start, end, utf8 } => line_value(source.line, start, end, utf8),
            Data::Many(bytes) => ReadyData::Text(checked_text(bytes.freeze())),
        };
        let meta = (event.is_some() || id.is_some() || retry.is_some())
            .then(|| Box::new(Meta { event, id, retry }));
        Some(Ready { data, meta })
    }
}

/// Where the value of a `data:` line starts (after the colon and one optional space), or
/// `None` for another line.
#[inline(always)]
fn data_value_at(line: &[u8]) -> Option<usize> {
    let value = line.strip_prefix(b"data:")?;
    Some(5 + usize::from(value.first() == Some(&b' ')))
}

/// A finished value at `start..end` of the chunk: lent in place when its line is known to
/// be UTF-8 (it ends before `valid`), else checked into text of its own.
#[inline(always)]
fn chunk_value(chunk: &Bytes, start: usize, end: usize, valid: usize) -> ReadyData {
    if end <= valid {
        ReadyData::Range { start, end }
    } else {
        ReadyData::Text(checked_text(chunk.slice(start..end)))
    }
}

/// A finished value at `start..end` of the held line: read in place when it is UTF-8
/// (`utf8` says it is known to be), else repaired into text of its own.
#[inline(always)]
fn line_value(line: &[u8], start: usize, end: usize, utf8: bool) -> ReadyData {
    let value = line.get(start..end).unwrap_or_default();
    if utf8 || simdutf8::basic::from_utf8(value).is_ok() {
        ReadyData::Line { start, end }
    } else {
        ReadyData::Text(checked_text(Bytes::copy_from_slice(value)))
    }
}

/// Two `data` values joined with `\n`.
fn join(first: &[u8], value: &[u8]) -> Data {
    let mut joined = BytesMut::with_capacity(first.len() + 1 + value.len());
    joined.extend_from_slice(first);
    joined.extend_from_slice(b"\n");
    joined.extend_from_slice(value);
    Data::Many(joined)
}

/// A field value as text of its own: a slice of the chunk when it lies in it, else a copy.
fn owned_text(value: &[u8], at: Origin, source: Source<'_>) -> ByteString {
    let bytes = match at {
        _ if value.is_empty() => Bytes::new(),
        Origin::Chunk(start) => source.chunk.slice(start..start + value.len()),
        Origin::Line { .. } => Bytes::copy_from_slice(value),
    };
    checked_text(bytes)
}

/// Decodes UTF-8 without copying valid input; invalid sequences become U+FFFD.
fn checked_text(bytes: Bytes) -> ByteString {
    match ByteString::try_from(bytes.clone()) {
        Ok(text) => text,
        Err(_) => ByteString::from(String::from_utf8_lossy(&bytes).into_owned()),
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
            parser.push(Bytes::copy_from_slice(chunk));
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
        SseFrame::new(d.into())
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
                data: "x".into(),
                meta: Some(Box::new(Meta {
                    event: Some("update".into()),
                    id: Some("42".into()),
                    retry: Some(1500),
                })),
            }]
        );
    }

    #[test]
    fn id_is_per_frame_but_last_event_id_persists() {
        let mut parser = SseParser::new();
        parser.push(Bytes::from_static(b"id: 7\ndata: a\n\ndata: b\n\n"));
        assert_eq!(
            parser.next_frame().map(|f| f.id().map(str::to_owned)),
            Some(Some("7".into()))
        );
        assert_eq!(
            parser.next_frame().map(|f| f.id().map(str::to_owned)),
            Some(None)
        );
        assert_eq!(parser.last_event_id(), "7");
    }

    #[test]
    fn id_containing_nul_is_ignored() {
        let mut parser = SseParser::new();
        parser.push(Bytes::from_static(
            b"id: ok\ndata: a\n\nid: b\0d\ndata: b\n\n",
        ));
        assert_eq!(
            parser.next_frame().and_then(|f| f.id().map(str::to_owned)),
            Some("ok".into())
        );
        assert_eq!(
            parser.next_frame().and_then(|f| f.id().map(str::to_owned)),
            None
        );
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
        parser.push(Bytes::from_static(b"retry: 3000\n\n"));
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

    /// The lone-data-line shortcut keeps the UTF-8 bookkeeping of the general path: a bad
    /// line is repaired whichever path frames it, and a good line after it still reads
    /// right, lent or owned.
    #[test]
    fn lone_data_lines_after_bad_and_pending_lines_read_the_same() {
        let input: &[u8] =
            b"data: \xFF\n\ndata: ok\n\n: c\n\xFE\ndata: b\n\nevent: e\ndata: x\n\ndata:y\n\n";
        let frames = parse(input);
        let texts: Vec<&str> = frames.iter().map(|f| f.data()).collect();
        assert_eq!(texts, ["\u{FFFD}", "ok", "b", "x", "y"]);
        assert_eq!(frames[3].event(), Some("e"));
        assert_eq!(frames[4].event(), None);
        let mut parser = SseParser::new();
        parser.push(Bytes::from_static(input));
        let mut lent = Vec::new();
        while let Some(frame) = parser.next_frame_ref() {
            lent.push(frame.data().to_owned());
        }
        assert_eq!(lent, texts);
        // And the same when any line, the repaired one too, arrives in two pieces.
        for cut in 0..=input.len() {
            let (a, b) = input.split_at(cut);
            let split: Vec<String> = parse_chunks(&[a, b])
                .iter()
                .map(|f| f.data().to_owned())
                .collect();
            assert_eq!(split, texts, "cut at {cut}");
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
    fn a_framed_chunk_is_let_go_before_the_next_arrives() {
        let mut parser = SseParser::new();
        // A frame, a data line waiting for its blank line, and the start of another line.
        let first = Bytes::from(b"id: 7\ndata: a\n\ndata: b\nda".to_vec());
        parser.push(first.clone());
        assert_eq!(parser.next_frame_ref().map(|f| f.data()), Some("a"));
        assert!(parser.next_frame_ref().is_none());
        parser.release_framed();
        assert!(first.is_unique(), "the parser still holds the framed chunk");
        // Queued input is not framed yet, so nothing is let go.
        let second = Bytes::from(b"ta: c\n\n".to_vec());
        parser.push(second.clone());
        parser.release_framed();
        assert!(!second.is_unique());
        let frame = parser.next_frame().unwrap();
        assert_eq!(frame.data(), "b\nc");
        assert_eq!(parser.last_event_id(), "7");
    }

    #[test]
    fn lines_are_checked_one_by_one_in_any_chunking() {
        // Long lines (past the vector blocks), each kind in one chunk: ASCII, valid
        // multi-byte text, and a bad byte, then ASCII again, so a bad line must not let the
        // lines after it through unchecked, nor make good ones lose their text.
        let pad = "x".repeat(70);
        let input = format!(
            "data: {pad}\n\ndata: {pad}é\n\ndata: {pad}\u{FFFF}\n\ndata: {pad}BAD\n\nevent: e\ndata: {pad}\r\n\r\n"
        )
        .into_bytes();
        let bad = input.windows(3).position(|w| w == b"BAD").expect("marker");
        let mut input = input;
        input[bad] = 0xFF;
        let whole = parse(&input);
        let texts: Vec<&str> = whole.iter().map(|f| f.data()).collect();
        assert_eq!(
            texts,
            [
                pad.clone(),
                format!("{pad}é"),
                format!("{pad}\u{FFFF}"),
                format!("{pad}\u{FFFD}AD"),
                pad.clone(),
            ]
        );
        for size in [1, 7, 40, 77, 78, 100, 200] {
            let mut parser = SseParser::new();
            for piece in input.chunks(size) {
                parser.push(Bytes::copy_from_slice(piece));
            }
            let got: Vec<SseFrame> = std::iter::from_fn(|| parser.next_frame()).collect();
            assert_eq!(got, whole, "chunks of {size}");
        }
    }

    #[test]
    fn incomplete_trailing_frame_is_discarded_at_finish() {
        assert_eq!(parse(b"data: a\n\ndata: b\n"), [data("a")]);
        assert_eq!(parse(b"data: a\n\ndata: b"), [data("a")]);
    }

    #[test]
    fn finish_frames_queued_input_first() {
        let mut parser = SseParser::new();
        for byte in b"data: a\n\ndata: b\n\ndata: c" {
            parser.push(Bytes::copy_from_slice(&[*byte]));
        }
        parser.finish();
        let got: Vec<String> = std::iter::from_fn(|| parser.next_frame())
            .map(|f| f.data().to_owned())
            .collect();
        assert_eq!(got, ["a", "b"]);
    }

    #[test]
    fn finish_discards_pending_fields() {
        let mut parser = SseParser::new();
        parser.push(Bytes::from_static(b"event: e\ndata: half"));
        parser.finish();
        parser.push(Bytes::from_static(b"data: next\n\n"));
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
        parser.push(Bytes::from_static(b"data: "));
        const FILLER: [u8; 1] = [b'x'; 1];
        for _ in 0..(256 << 10) {
            parser.push(Bytes::from_static(&FILLER));
        }
        parser.push(Bytes::from_static(b"\r"));
        parser.push(Bytes::from_static(b"\n\n"));
        let frame = parser.next_frame().map(|f| f.data().len());
        assert_eq!(frame, Some(256 << 10));
    }

    #[test]
    fn frames_queue_until_taken() {
        let mut parser = SseParser::new();
        parser.push(Bytes::from_static(b"data: 1\n\ndata: 2\n\n"));
        parser.push(Bytes::from_static(b"data: 3\n\n"));
        let got: Vec<String> = std::iter::from_fn(|| parser.next_frame())
            .map(|f| f.data().to_owned())
            .collect();
        assert_eq!(got, ["1", "2", "3"]);
        parser.push(Bytes::from_static(b"data: 4\n\n"));
        parser.clear_ready();
        assert_eq!(parser.next_frame(), None);
    }
}
