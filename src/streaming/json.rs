//! A [`Value`] reader for event data and NDJSON lines. On chat-chunk JSON it takes about a
//! tenth less time than `serde_json::from_str::<Value>` (the stream bench's chat stream,
//! each process running one side alone).
//!
//! It reads only what it can read exactly as serde_json does and hands everything else
//! back: escaped strings and every number but a plain non-negative integer go through
//! serde_json piecewise, and on any doubt (a syntax error, deep nesting, a huge integer)
//! the whole text is read by serde_json again. So the result, and the error a caller
//! reports, are serde_json's by construction; `tests/stream_decode_props.rs` checks that
//! against serde_json on generated and mangled documents.
//!
//! The gain is in reading the common shapes without serde's visitor layers. Most of the
//! time is elsewhere: allocating the strings and inserting into the maps of the `Value`.
//! That is what [`parse_reusing`] saves. Events of one stream mostly share a shape, and the
//! usual consumer drops each event before the next, so a dropped event's value is kept per
//! thread ([`recycle`]) and the next one is read into it: strings are overwritten where
//! they fit, and a map member is looked up rather than inserted.

use std::cell::Cell;

use serde_json::{Map, Number, Value};

/// Nesting deeper than this is left to serde_json (which allows 128 levels), so this
/// reader's recursion stays shallow.
const MAX_DEPTH: u32 = 100;

/// Values read from texts longer than this are not kept for reuse, so what a thread holds
/// stays about one small event's worth.
pub(crate) const RECYCLE_MAX: usize = 8 << 10;

/// An object's members are tracked for reuse up to this many; a larger object is read anew.
const TRACKED: usize = 16;

thread_local! {
    /// The value of an event dropped on this thread, to be read into by the next parse.
    static SPARE: Cell<Option<Value>> = const { Cell::new(None) };
}

/// `text` parsed as one JSON value, or serde_json's error when it is not JSON.
pub(crate) fn parse(text: &str) -> serde_json::Result<Value> {
    let mut reader = Reader::new(text);
    if let Some(value) = reader.value() {
        if reader.peek().is_none() {
            return Ok(value);
        }
    }
    serde_json::from_str(text)
}

/// Like [`parse`], without the error, and read into this thread's spare value when there
/// is one. The result is the same value either way.
pub(crate) fn parse_reusing(text: &str) -> Option<Value> {
    // `try_with` fails only while the thread is being torn down; then nothing is reused.
    let fits = u32::try_from(text.len()).is_ok();
    let spare = fits.then(|| SPARE.try_with(Cell::take).ok().flatten());
    if let Some(mut spare) = spare.flatten() {
        let mut reader = Reader::new(text);
        if reader.value_into(&mut spare).is_some() && reader.peek().is_none() {
            return Some(spare);
        }
        // Part of the spare may already hold the new text: it is dropped, and the text
        // read afresh, which also leaves anything unusual to serde_json as in `parse`.
    }
    parse(text).ok()
}

/// Keeps `value`, read from a text of `text_len` bytes, for the next [`parse_reusing`] on
/// this thread. Only containers are kept: scalars hold no allocation worth reusing.
pub(crate) fn recycle(value: Value, text_len: usize) {
    if text_len <= RECYCLE_MAX && matches!(value, Value::Object(_) | Value::Array(_)) {
        // The previous spare, if any, is dropped here; it holds no reference to `SPARE`.
        let _ = SPARE.try_with(|spare| spare.set(Some(value)));
    }
}

/// Drops this thread's spare value, if any.
#[cfg(test)]
pub(crate) fn clear_spare() {
    SPARE.with(Cell::take);
}

/// Whether this thread holds a value to read the next text into.
#[cfg(test)]
pub(crate) fn has_spare() -> bool {
    SPARE.with(|spare| {
        let value = spare.take();
        let kept = value.is_some();
        spare.set(value);
        kept
    })
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    depth: u32,
}

/// Eight bytes with the high bit set, and eight ones: SWAR masks.
const HIGH: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Reader<'a> {
        Reader {
            text,
            bytes: text.as_bytes(),
            at: 0,
            depth: 0,
        }
    }

    /// The next byte that is not JSON whitespace, left in place.
    #[inline(always)]
    fn peek(&mut self) -> Option<u8> {
        let &byte = self.bytes.get(self.at)?;
        if byte > b' ' {
            return Some(byte);
        }
        while let Some(&byte) = self.bytes.get(self.at) {
            if !matches!(byte, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(byte);
            }
            self.at += 1;
        }
        None
    }

    #[inline(always)]
    fn value(&mut self) -> Option<Value> {
        match self.peek()? {
            b'"' => {
                self.at += 1;
                self.string().map(Value::String)
            }
            b'{' => {
                self.at += 1;
                self.object()
            }
            b'[' => {
                self.at += 1;
                self.array()
            }
            b'n' => self.literal(b"null", Value::Null),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'0'..=b'9' | b'-' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Option<Value> {
        if self.bytes.get(self.at..self.at + word.len())? == word {
            self.at += word.len();
            Some(value)
        } else {
            None
        }
    }

    fn number(&mut self) -> Option<Value> {
        let start = self.at;
        let bytes = self.bytes;
        // A plain non-negative integer that fits a u64 is read here; serde_json reads it
        // to the same `Number`.
        let mut end = start;
        let mut n: u64 = 0;
        while let Some(&digit @ b'0'..=b'9') = bytes.get(end) {
            n = n.checked_mul(10)?.checked_add(u64::from(digit - b'0'))?;
            end += 1;
        }
        let leading_zero = end - start > 1 && bytes.get(start) == Some(&b'0');
        if end > start && !leading_zero && !matches!(bytes.get(end), Some(b'.' | b'e' | b'E')) {
            self.at = end;
            return Some(Value::Number(Number::from(n)));
        }
        // Anything else is serde_json's to read. A JSON number is followed by none of
        // these bytes, so for valid input this is exactly its extent; otherwise
        // serde_json refuses it and the whole text is read again.
        let mut end = start;
        while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = bytes.get(end) {
            end += 1;
        }
        let number: Number = self.text.get(start..end)?.parse().ok()?;
        self.at = end;
        Some(Value::Number(number))
    }

    /// Reads a string whose opening quote is just behind.
    #[inline(always)]
    fn string(&mut self) -> Option<String> {
        match self.plain_string() {
            Ok(text) => Some(text.to_owned()),
            Err(end) => self.escaped_string(end),
        }
    }

    /// Reads a string whose opening quote is just behind into `out`, reusing its buffer
    /// unless that is far larger than needed (so a reused value stays about its text's size).
    #[inline(always)]
    fn string_into(&mut self, out: &mut String) -> Option<()> {
        match self.plain_string() {
            Ok(text) if out.capacity() <= 2 * text.len() + 16 => {
                out.clear();
                out.push_str(text);
            }
            Ok(text) => *out = text.to_owned(),
            Err(end) => *out = self.escaped_string(end)?,
        }
        Some(())
    }

    /// The text of a string whose opening quote is just behind, when it has no escapes (and
    /// then the reader is past it). Otherwise the reader stays and `Err` has where the first
    /// escape or other special byte is, for `escaped_string`.
    #[inline(always)]
    fn plain_string(&mut self) -> Result<&'a str, usize> {
        let start = self.at;
        let end = special(self.bytes, start);
        if self.bytes.get(end) != Some(&b'"') {
            return Err(end);
        }
        // Both ends sit at ASCII quotes of a `str`, so they are char boundaries.
        let text = self.text.get(start..end).ok_or(end)?;
        self.at = end + 1;
        Ok(text)
    }

    /// Reads a string whose opening quote is just behind and whose first special byte is
    /// at `end`: an escape (read by serde_json) or a raw control character (refused).
    #[cold]
    fn escaped_string(&mut self, end: usize) -> Option<String> {
        let bytes = self.bytes;
        let start = self.at;
        match bytes.get(end)? {
            b'\\' => {
                // Escapes: find the closing quote, then let serde_json read the string.
                let mut close = end;
                loop {
                    match bytes.get(close)? {
                        b'\\' => close += 2,
                        b'"' => break,
                        _ => close += 1,
                    }
                }
                let quoted = self.text.get(start - 1..=close)?;
                let text = serde_json::from_str(quoted).ok()?;
                self.at = close + 1;
                Some(text)
            }
            // A control character, which JSON strings may not hold raw.
            _ => None,
        }
    }

    #[inline(never)]
    fn object(&mut self) -> Option<Value> {
        self.object_map().map(Value::Object)
    }

    fn object_map(&mut self) -> Option<Map<String, Value>> {
        let mut map = Map::new();
        self.members(b'}', |reader| {
            reader.expect(b'"')?;
            let key = reader.string()?;
            reader.expect(b':')?;
            let value = reader.value()?;
            // A repeated key keeps its last value, as in serde_json.
            map.insert(key, value);
            Some(())
        })?;
        Some(map)
    }

    /// Reads a value into `slot`, reusing the strings, vectors and maps it holds where the
    /// new value has the same kind in the same place. `slot` ends up equal to what
    /// [`value`](Self::value) returns; on `None` it holds part of the text, to be dropped.
    fn value_into(&mut self, slot: &mut Value) -> Option<()> {
        match (self.peek()?, slot) {
            (b'"', Value::String(text)) => {
                self.at += 1;
                self.string_into(text)
            }
            (b'{', Value::Object(map)) => {
                self.at += 1;
                self.object_into(map)
            }
            (b'[', Value::Array(items)) => {
                self.at += 1;
                self.array_into(items)
            }
            (_, slot) => {
                *slot = self.value()?;
                Some(())
            }
        }
    }

    /// Reads an object whose `{` is just behind into `map`: a member already there is read
    /// into its place, a new one inserted, and members the text lacks are removed at the end.
    #[inline(never)]
    fn object_into(&mut self, map: &mut Map<String, Value>) -> Option<()> {
        let start = self.at;
        if map.len() > TRACKED {
            *map = self.object_map()?;
            return Some(());
        }
        let text = self.text;
        // Where each member's key is in the text, to find the members to remove.
        let mut keys = [(0u32, 0u32); TRACKED];
        let mut count = 0;
        let mut tracked = true;
        let read = self.members(b'}', |reader| {
            reader.expect(b'"')?;
            let key_start = reader.at;
            let Ok(key) = reader.plain_string() else {
                // An escaped key: not worth the bookkeeping, the object is read anew.
                tracked = false;
                return None;
            };
            reader.expect(b':')?;
            match map.get_mut(key) {
                Some(slot) => reader.value_into(slot)?,
                None => {
                    let value = reader.value()?;
                    map.insert(key.to_owned(), value);
                }
            }
            let Some(span) = keys.get_mut(count) else {
                // More members than are tracked: the object is read anew.
                tracked = false;
                return None;
            };
            // `parse_reusing` takes only texts whose offsets fit in 32 bits.
            *span = (key_start as u32, (key_start + key.len()) as u32);
            count += 1;
            Some(())
        });
        if !tracked {
            self.at = start;
            *map = self.object_map()?;
            return Some(());
        }
        read?;
        let key_at = |(from, to): (u32, u32)| text.get(from as usize..to as usize);
        let keys = keys.get(..count)?;
        // The members the text named, each once; when the map has more, the rest go.
        let named = keys
            .iter()
            .enumerate()
            .filter(|&(i, &key)| !keys[..i].iter().any(|&seen| key_at(seen) == key_at(key)))
            .count();
        if map.len() != named {
            map.retain(|key, _| keys.iter().any(|&seen| key_at(seen) == Some(key.as_str())));
        }
        Some(())
    }

    /// Reads an array whose `[` is just behind into `items`, item by item in place.
    #[inline(never)]
    fn array_into(&mut self, items: &mut Vec<Value>) -> Option<()> {
        let mut count = 0;
        self.members(b']', |reader| {
            match items.get_mut(count) {
                Some(slot) => reader.value_into(slot)?,
                None => items.push(reader.value()?),
            }
            count += 1;
            Some(())
        })?;
        items.truncate(count);
        if items.capacity() > 2 * count + 8 {
            // Like a reused string, a reused array stays about the size its text needs.
            items.shrink_to_fit();
        }
        Some(())
    }

    #[inline(never)]
    fn array(&mut self) -> Option<Value> {
        let mut items = Vec::new();
        self.members(b']', |reader| {
            items.push(reader.value()?);
            Some(())
        })?;
        Some(Value::Array(items))
    }

    /// Reads the members of an object or array whose opening bracket is just behind, each
    /// with `member`, up to `close`: the commas, the empty case and the depth are kept here.
    #[inline(always)]
    fn members(&mut self, close: u8, member: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.depth += 1;
        // The depth is restored however the members end, so a caller may read on.
        let read = if self.depth > MAX_DEPTH {
            None
        } else {
            self.member_list(close, member)
        };
        self.depth -= 1;
        read
    }

    /// The part of [`members`](Self::members) inside the depth count.
    #[inline(always)]
    fn member_list(
        &mut self,
        close: u8,
        mut member: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        if self.peek()? == close {
            self.at += 1;
            return Some(());
        }
        loop {
            member(self)?;
            match self.peek()? {
                b',' => self.at += 1,
                byte if byte == close => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Steps over `byte`, which must come next (after any whitespace).
    #[inline(always)]
    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }
}

/// The index of the first `"`, `\` or control character at or after `at` (`bytes.len()`
/// when there is none), eight bytes at a time.
#[inline(always)]
fn special(bytes: &[u8], mut at: usize) -> usize {
    while let Some(word) = bytes.get(at..at + 8) {
        let mut eight = [0; 8];
        eight.copy_from_slice(word);
        let word = u64::from_le_bytes(eight);
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        // The classic "has a zero byte" and "has a byte below n" tests. Each may flag a
        // byte above a true hit (by borrow), never below one, so the lowest flag is exact.
        let hits = (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (word.wrapping_sub(ONES * 0x20) & !word);
        let hits = hits & HIGH;
        if hits != 0 {
            return at + (hits.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while let Some(&byte) = bytes.get(at) {
        if byte == b'"' || byte == b'\\' || byte < 0x20 {
            break;
        }
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ours` is what serde_json reads from `text`: the same value in the same text form
    /// (which tells `-0.0` from `0.0` and `1` from `1.0`).
    fn assert_as_serde_json(ours: Option<Value>, text: &str, context: &str) {
        let theirs = serde_json::from_str::<Value>(text).ok();
        assert_eq!(ours, theirs, "{context}");
        assert_eq!(
            ours.map(|v| v.to_string()),
            theirs.map(|v| v.to_string()),
            "{context}"
        );
    }

    fn same(text: &str) {
        assert_as_serde_json(parse(text).ok(), text, &format!("{text:?}"));
    }

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            r#"{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"Hi"}}]}"#,
            " { \"a\" : [ 1 , 2 , { } , [ ] ] , \"b\" : null } \n",
            r#"{"a":"tab\there \"quoted\" \u00e9 \ud83d\ude00"}"#,
            r#"{"a":1,"a":2}"#,
            "[0, -0, -0.0, 1.5, 1e3, 1E-3, 18446744073709551615, 18446744073709551616]",
            "[-9223372036854775808, -9223372036854775809, 12345678901234567890123]",
            "\"ünïcödé ✓\"",
            "true",
            "  false  ",
            "7",
        ] {
            same(text);
        }
    }

    #[test]
    fn refuses_what_serde_json_refuses() {
        for text in [
            "",
            " ",
            "{",
            r#"{"a":1,}"#,
            "[1,]",
            "01",
            "[01]",
            "1.",
            ".5",
            "-",
            "+1",
            "1e400",
            "nul",
            "nulls",
            "tru e",
            "\"raw\ncontrol\"",
            r#""bad \x escape""#,
            r#""lone \ud800 surrogate""#,
            r#""unterminated"#,
            r#""ends in backslash\"#,
            "{} {}",
            "[1 2]",
            r#"{"a" 1}"#,
            r#"{1:2}"#,
        ] {
            same(text);
        }
    }

    #[test]
    fn nesting_past_the_fast_depth_is_serde_jsons() {
        for depth in [99, 100, 101, 127, 128, 129, 500] {
            let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            same(&text);
            let text = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
            same(&text);
        }
    }

    /// Reads `second` into the value of `first`, as an event read after another one
    /// dropped on the same thread, and checks the result is serde_json's.
    fn same_after(first: &str, second: &str) {
        let spare = parse(first).expect("first text is JSON");
        recycle(spare, first.len());
        let kept = has_spare();
        // Containers from small texts are kept; nothing else is.
        let container = first.trim_start().starts_with(['{', '[']);
        assert_eq!(kept, container && first.len() <= RECYCLE_MAX, "{first:?}");
        let context = format!("{first:?} then {second:?}");
        assert_as_serde_json(parse_reusing(second), second, &context);
        clear_spare();
    }

    #[test]
    fn a_reused_value_reads_as_a_fresh_one() {
        let chat = |content: &str| {
            format!(
                r#"{{"id":"c1","choices":[{{"index":0,"delta":{{"content":{content}}},"finish_reason":null}}]}}"#
            )
        };
        let many = |n: usize| {
            let members: Vec<String> = (0..n).map(|i| format!("\"k{i}\":{i}")).collect();
            format!("{{{}}}", members.join(","))
        };
        let pairs: Vec<(String, String)> = vec![
            // The same shape, new strings: shorter, longer, escaped, empty.
            (chat(r#""Hello""#), chat(r#""Hi""#)),
            (
                chat(r#""Hi""#),
                chat(r#""a much longer piece of text than before""#),
            ),
            (chat(r#""Hi""#), chat(r#""line\nbreak \"quoted\"""#)),
            (chat(r#""Hi""#), chat("\"\"")),
            (
                chat(&format!("\"{}\"", "x".repeat(500))),
                chat(r#""short""#),
            ),
            // Members gained, lost, renamed, repeated, or of another kind.
            (r#"{"a":1,"b":2,"c":3}"#.into(), r#"{"a":1}"#.into()),
            (r#"{"a":1}"#.into(), r#"{"c":3,"a":1,"b":2}"#.into()),
            (r#"{"a":1,"b":2}"#.into(), r#"{"a":1,"a":2}"#.into()),
            (
                r#"{"a":1,"b":2}"#.into(),
                r#"{"b":{"x":[1]},"b":"last"}"#.into(),
            ),
            (
                r#"{"a":{"b":{"c":"d"}}}"#.into(),
                r#"{"a":{"b":{}}}"#.into(),
            ),
            (
                r#"{"a":"s","b":[1,2]}"#.into(),
                r#"{"a":[1,2],"b":"s"}"#.into(),
            ),
            (r#"{"a":{"x":1}}"#.into(), r#"{"a":null}"#.into()),
            ("{}".into(), r#"{"a":1}"#.into()),
            (r#"{"a":1}"#.into(), "{}".into()),
            // Escaped keys, and more members than are tracked, in either text.
            (r#"{"a\"b":1,"c":2}"#.into(), r#"{"c":2}"#.into()),
            (r#"{"c":2}"#.into(), r#"{"c":3,"a\u0062":1}"#.into()),
            (many(20), many(3)),
            (many(3), many(20)),
            (many(16), many(17)),
            (
                format!(r#"{{"o":{}}}"#, many(17)),
                format!(r#"{{"o":{}}}"#, many(2)),
            ),
            (
                format!(r#"{{"o":{}}}"#, many(2)),
                format!(r#"{{"o":{}}}"#, many(17)),
            ),
            // Arrays grow, shrink and change their items' kinds.
            ("[1,2,3]".into(), "[1]".into()),
            ("[1]".into(), r#"[1,"two",{"three":3},[4]]"#.into()),
            (format!("[{}]", vec!["0"; 300].join(",")), "[7]".into()),
            (r#"[{"a":"x"}]"#.into(), r#"[{"a":"yy","b":1}]"#.into()),
            // Another kind at the top, and texts that are not JSON.
            (r#"{"a":1}"#.into(), "[1,2]".into()),
            (r#"{"a":1}"#.into(), r#""text""#.into()),
            (r#"{"a":1}"#.into(), "7".into()),
            (r#"{"a":1}"#.into(), r#"{"a":1"#.into()),
            (r#"{"a":1}"#.into(), r#"{"a":1} x"#.into()),
            (r#"{"a":1}"#.into(), r#"{"a":01}"#.into()),
            (r#"{"a":1}"#.into(), r#"{"a":1,}"#.into()),
            (r#"{"a":"x"}"#.into(), "{\"a\":\"raw\ncontrol\"}".into()),
            (
                r#"{"a":[]}"#.into(),
                format!("{{\"a\":{}1{}}}", "[".repeat(150), "]".repeat(150)),
            ),
            (
                r#"{"a":{}}"#.into(),
                format!("{{\"a\":{}1{}}}", "{\"a\":".repeat(110), "}".repeat(110)),
            ),
            // Scalars and large texts are not kept.
            ("7".into(), r#"{"a":1}"#.into()),
            (
                format!(r#"{{"a":"{}"}}"#, "x".repeat(RECYCLE_MAX)),
                r#"{"a":"y"}"#.into(),
            ),
        ];
        for (first, second) in &pairs {
            same_after(first, second);
        }
    }

    #[test]
    fn a_reused_value_keeps_only_bounded_buffers() {
        let long = format!(r#"{{"a":"{}"}}"#, "x".repeat(4000));
        recycle(parse(&long).expect("JSON"), long.len());
        let value = parse_reusing(r#"{"a":"y"}"#).expect("JSON");
        let Some(Value::String(text)) = value.get("a") else {
            panic!("{value:?}")
        };
        assert!(text.capacity() <= 2 + 16, "capacity {}", text.capacity());

        let text = format!("[[{}]]", vec!["1"; 100].join(","));
        recycle(parse(&text).expect("JSON"), text.len());
        let value = parse_reusing("[[1]]").expect("JSON");
        let Some(Value::Array(items)) = value.get(0) else {
            panic!("{value:?}")
        };
        assert!(items.capacity() <= 2 + 8, "capacity {}", items.capacity());
        clear_spare();
    }

    #[test]
    fn strings_of_every_length_find_their_end() {
        for len in 0..40 {
            for special in ["", "\\n", "\\\"", "\u{1}", "é"] {
                let body = "x".repeat(len);
                same(&format!("\"{body}{special}\""));
                same(&format!("\"{special}{body}\""));
            }
        }
    }
}
