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
//! time is elsewhere and the same on both sides: allocating the strings and inserting into
//! the maps of the `Value`.

use serde_json::{Map, Number, Value};

/// Nesting deeper than this is left to serde_json (which allows 128 levels), so this
/// reader's recursion stays shallow.
const MAX_DEPTH: u32 = 100;

/// `text` parsed as one JSON value, or serde_json's error when it is not JSON.
pub(crate) fn parse(text: &str) -> serde_json::Result<Value> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
        depth: 0,
    };
    if let Some(value) = reader.value() {
        if reader.peek().is_none() {
            return Ok(value);
        }
    }
    serde_json::from_str(text)
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

impl Reader<'_> {
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
        let bytes = self.bytes;
        let start = self.at;
        let end = special(bytes, start);
        match bytes.get(end)? {
            b'"' => {
                self.at = end + 1;
                // Both ends sit at ASCII quotes of a `str`, so they are char boundaries.
                self.text.get(start..end).map(str::to_owned)
            }
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
        Some(Value::Object(map))
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
    fn members(
        &mut self,
        close: u8,
        mut member: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        if self.peek()? == close {
            self.at += 1;
        } else {
            loop {
                member(self)?;
                match self.peek()? {
                    b',' => self.at += 1,
                    byte if byte == close => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        Some(())
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

    /// Same value and same text form (which tells `-0.0` from `0.0` and `1` from `1.0`).
    fn same(text: &str) {
        let ours = parse(text).ok();
        let theirs = serde_json::from_str::<Value>(text).ok();
        assert_eq!(ours, theirs, "{text:?}");
        assert_eq!(
            ours.map(|v| v.to_string()),
            theirs.map(|v| v.to_string()),
            "{text:?}"
        );
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
