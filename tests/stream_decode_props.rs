//! Property tests for the streaming decoders: encoded streams decode back to what was
//! encoded, whatever the line endings and chunk boundaries, and chunking never changes
//! the output.

use bytes::Bytes;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;
use unitysvc::streaming::decode::{DecodeError, Decoder, Event, Framing, SseEvent};

type Output = Vec<Result<Event, DecodeError>>;

/// Decodes `input` split at `cuts`, draining after every push like a real consumer.
fn decode_pieces(framing: Framing, input: &[u8], cuts: &[Index]) -> Output {
    let mut points: Vec<usize> = cuts.iter().map(|c| c.index(input.len() + 1)).collect();
    points.sort_unstable();
    let mut decoder = Decoder::new(framing);
    let mut out = Vec::new();
    let mut start = 0;
    for end in points.into_iter().chain([input.len()]) {
        decoder.push(Bytes::copy_from_slice(&input[start..end]));
        out.extend(std::iter::from_fn(|| decoder.next_event()));
        start = end;
    }
    decoder.finish();
    out.extend(std::iter::from_fn(|| decoder.next_event()));
    out
}

/// Decodes `input` pushed one byte at a time, draining only at the end.
fn decode_bytewise(framing: Framing, input: &[u8]) -> Output {
    let mut decoder = Decoder::new(framing);
    for byte in input.chunks(1) {
        decoder.push(Bytes::copy_from_slice(byte));
    }
    decoder.finish();
    std::iter::from_fn(|| decoder.next_event()).collect()
}

/// Tiny deterministic generator so one proptest seed picks many line endings.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

const LF: &str = "\n";
const CR: &str = "\r";
const CRLF: &str = "\r\n";

/// Joins SSE lines with random endings, never letting `CR` + empty line + `LF`
/// read as a single CRLF (which the grammar cannot distinguish).
fn encode_sse_lines(lines: &[String], seed: u64, bom: bool) -> Vec<u8> {
    let mut rng = Rng(seed | 1);
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice("\u{FEFF}".as_bytes());
    }
    let mut prev = LF;
    for line in lines {
        let mut ending = [LF, CR, CRLF][rng.below(3) as usize];
        if prev == CR && line.is_empty() && ending == LF {
            ending = CRLF;
        }
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(ending.as_bytes());
        prev = ending;
    }
    out
}

#[derive(Debug, Clone)]
enum Block {
    /// A dispatched event.
    Event {
        event: Option<String>,
        id: Option<String>,
        retry: Option<u32>,
        data: Vec<String>,
        /// Where `event`, `id` and `retry` go among the data lines.
        field_at: [Index; 3],
        /// Comments and where they go.
        extra: Vec<(Index, String)>,
    },
    /// Comments (and maybe an event type, which the blank line must reset): no event.
    Heartbeat {
        event: Option<String>,
        comments: Vec<String>,
    },
}

fn no_newline(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[^\r\n]{{0,{max}}}")).expect("valid regex")
}

fn comment() -> impl Strategy<Value = String> {
    no_newline(10).prop_map(|c| format!(":{c}"))
}

fn block() -> impl Strategy<Value = Block> {
    let event_name = || proptest::string::string_regex("[^\r\n]{1,10}").expect("valid regex");
    let id = proptest::string::string_regex("[^\r\n\0]{0,10}").expect("valid regex");
    let data = prop::collection::vec(no_newline(16), 1..4)
        .prop_filter("not the [DONE] sentinel", |d| {
            d.join("\n").trim() != "[DONE]"
        });
    let event = (
        prop::option::of(event_name()),
        prop::option::of(id),
        prop::option::of(any::<u32>()),
        data,
        prop::array::uniform3(any::<Index>()),
        prop::collection::vec((any::<Index>(), comment()), 0..3),
    )
        .prop_map(|(event, id, retry, data, field_at, extra)| Block::Event {
            event,
            id,
            retry,
            data,
            field_at,
            extra,
        });
    let heartbeat = (
        prop::option::of(event_name()),
        prop::collection::vec(comment(), 0..3),
    )
        .prop_map(|(event, comments)| Block::Heartbeat { event, comments });
    prop_oneof![4 => event, 1 => heartbeat]
}

impl Block {
    fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        match self {
            Block::Event {
                event,
                id,
                retry,
                data,
                field_at,
                extra,
            } => {
                lines.extend(data.iter().map(|d| format!("data: {d}")));
                // Non-data fields and comments go anywhere between the data lines.
                let fields = event
                    .iter()
                    .map(|e| format!("event: {e}"))
                    .chain(id.iter().map(|i| format!("id: {i}")))
                    .chain(retry.iter().map(|r| format!("retry: {r}")));
                for (at, field) in field_at.iter().zip(fields) {
                    lines.insert(at.index(lines.len() + 1), field);
                }
                for (ix, text) in extra {
                    lines.insert(ix.index(lines.len() + 1), text.clone());
                }
            }
            Block::Heartbeat { event, comments } => {
                lines.extend(event.iter().map(|e| format!("event: {e}")));
                lines.extend(comments.iter().cloned());
            }
        }
        lines.push(String::new());
        lines
    }

    fn expected(&self) -> Option<Event> {
        let Block::Event {
            event, id, data, ..
        } = self
        else {
            return None;
        };
        let data = data.join("\n");
        let mut out = SseEvent::new(data);
        if let Some(event) = event {
            out = out.with_event(event.clone());
        }
        if let Some(id) = id {
            out = out.with_id(id.clone());
        }
        Some(Event::Sse(out))
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        // Eighths print and parse exactly, so equality is meaningful.
        any::<i32>().prop_map(|i| Value::from(f64::from(i) / 8.0)),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(any::<String>(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// JSON values whose object keys come from a handful, so that two of them often share
/// members: what reading one event's JSON into the value of the one before it reuses.
fn shaped_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<i32>().prop_map(|i| Value::from(f64::from(i) / 8.0)),
        prop_oneof![Just(String::new()), "[a-z]{1,3}", any::<String>()].prop_map(Value::from),
    ];
    let key = prop_oneof![
        Just("a"),
        Just("b"),
        Just("content"),
        Just("q\"uote"),
        Just("é")
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            prop::collection::vec((key.clone(), inner), 0..7).prop_map(|members| {
                Value::Object(
                    members
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect(),
                )
            }),
        ]
    })
}

/// The text of a value, or with a member written twice (the last one counts in JSON as
/// serde_json reads it), or cut short.
fn shaped_text() -> impl Strategy<Value = String> {
    (shaped_value(), 0..3u8, any::<Index>()).prop_map(|(value, how, at)| {
        let text = serde_json::to_string(&value).expect("serializable");
        match (how, text.strip_prefix('{')) {
            (1, Some(rest)) if rest != "}" => format!("{{\"a\":[1,{{}}],{rest}"),
            (2, _) => {
                let cut = at.index(text.len());
                let cut = (0..=cut)
                    .rev()
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(0);
                text[..cut].to_owned()
            }
            _ => text,
        }
    })
}

/// Byte soup built from SSE/NDJSON tokens plus arbitrary bytes, to hit edge cases.
fn soup() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(b"data:".to_vec()),
        Just(b"data: ".to_vec()),
        Just(b"event: e".to_vec()),
        Just(b"id: 1".to_vec()),
        Just(b"retry: 10".to_vec()),
        Just(b":".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"[DONE]".to_vec()),
        Just(b"{\"a\":[1,\"\xC3\xA9\"]}".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just("\u{1F600}".as_bytes().to_vec()),
        prop::collection::vec(any::<u8>(), 1..4),
    ];
    prop::collection::vec(token, 0..40).prop_map(|t| t.concat())
}

/// JSON-ish text: a serialized value, pretty or not, then maybe mangled by a cut, a lost
/// byte or an inserted token, so both what serde_json reads and what it refuses come up.
fn json_text() -> impl Strategy<Value = String> {
    let number = prop_oneof![
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
    ];
    let token = prop_oneof![
        Just("{"),
        Just("}"),
        Just("["),
        Just("]"),
        Just(":"),
        Just(","),
        Just("\""),
        Just("\\"),
        Just("\\u"),
        Just("\\ud800"),
        Just("\u{1}"),
        Just(" "),
        Just("\n"),
        Just("0"),
        Just("-"),
        Just("."),
        Just("e"),
        Just("+"),
        Just("9"),
        Just("null"),
        Just("tru"),
        Just("é"),
        Just("1e400"),
        Just("18446744073709551616"),
    ];
    let value = prop_oneof![json_value(), number];
    (value, any::<bool>(), 0..4u8, any::<Index>(), token).prop_map(
        |(value, pretty, mangle, at, token)| {
            let text = if pretty {
                serde_json::to_string_pretty(&value)
            } else {
                serde_json::to_string(&value)
            }
            .expect("serializable");
            let cut = at.index(text.len() + 1);
            let cut = (0..=cut)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            let (head, tail) = text.split_at(cut);
            match mangle {
                0 => text.clone(),
                1 => head.to_owned(),
                2 => format!("{head}{token}{tail}"),
                _ => format!("{head}{}", tail.chars().skip(1).collect::<String>()),
            }
        },
    )
}

fn concat_bytes(out: &Output) -> Vec<u8> {
    out.iter()
        .flat_map(|item| match item {
            Ok(Event::Bytes(b)) => b.to_vec(),
            other => panic!("bytes framing yielded {other:?}"),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sse_roundtrip_any_endings_and_chunking(
        blocks in prop::collection::vec(block(), 0..8),
        seed in any::<u64>(),
        bom in any::<bool>(),
        cuts in prop::collection::vec(any::<Index>(), 0..12),
    ) {
        let lines: Vec<String> = blocks.iter().flat_map(Block::lines).collect();
        let input = encode_sse_lines(&lines, seed, bom);
        let expected: Output = blocks.iter().filter_map(Block::expected).map(Ok).collect();
        prop_assert_eq!(&decode_pieces(Framing::Sse, &input, &cuts), &expected);
        prop_assert_eq!(&decode_bytewise(Framing::Sse, &input), &expected);
    }

    #[test]
    fn ndjson_roundtrip_any_endings_and_chunking(
        values in prop::collection::vec(json_value(), 0..8),
        seed in any::<u64>(),
        terminate_last in any::<bool>(),
        cuts in prop::collection::vec(any::<Index>(), 0..12),
    ) {
        let mut rng = Rng(seed | 1);
        let mut input = Vec::new();
        for (n, value) in values.iter().enumerate() {
            if rng.below(4) == 0 {
                input.extend_from_slice([" \n", "\n", "\t\r\n"][rng.below(3) as usize].as_bytes());
            }
            input.extend_from_slice(serde_json::to_string(value).expect("serializable").as_bytes());
            if n + 1 < values.len() || terminate_last {
                input.extend_from_slice([LF, CRLF][rng.below(2) as usize].as_bytes());
            }
        }
        let expected: Output = values.into_iter().map(|v| Ok(Event::Json(v))).collect();
        prop_assert_eq!(&decode_pieces(Framing::Ndjson, &input, &cuts), &expected);
        prop_assert_eq!(&decode_bytewise(Framing::Ndjson, &input), &expected);
    }

    #[test]
    fn text_lines_roundtrip_any_endings_and_chunking(
        lines in prop::collection::vec(no_newline(12), 0..10),
        seed in any::<u64>(),
        terminate_last in any::<bool>(),
        cuts in prop::collection::vec(any::<Index>(), 0..12),
    ) {
        let mut rng = Rng(seed | 1);
        let mut input = Vec::new();
        for (n, line) in lines.iter().enumerate() {
            input.extend_from_slice(line.as_bytes());
            // An empty unterminated last line is no line at all.
            if n + 1 < lines.len() || terminate_last || line.is_empty() {
                input.extend_from_slice([LF, CRLF][rng.below(2) as usize].as_bytes());
            }
        }
        let expected: Output = lines.into_iter().map(|l| Ok(Event::Line(l))).collect();
        prop_assert_eq!(&decode_pieces(Framing::Lines, &input, &cuts), &expected);
        prop_assert_eq!(&decode_bytewise(Framing::Lines, &input), &expected);
    }

    #[test]
    fn chunking_never_changes_the_output(
        input in soup(),
        cuts in prop::collection::vec(any::<Index>(), 0..16),
    ) {
        for framing in [Framing::Sse, Framing::Ndjson, Framing::Lines] {
            let whole = decode_pieces(framing, &input, &[]);
            prop_assert_eq!(&decode_pieces(framing, &input, &cuts), &whole);
            prop_assert_eq!(&decode_bytewise(framing, &input), &whole);
        }
        let bytes = decode_pieces(Framing::Bytes, &input, &cuts);
        prop_assert_eq!(concat_bytes(&bytes), input);
    }

    /// An event's JSON read into the value of an event dropped just before it, as a
    /// stream's consumer usually drops them, is still exactly what serde_json reads.
    #[test]
    fn json_after_a_dropped_event_reads_as_serde_json(texts in prop::collection::vec(shaped_text(), 1..6)) {
        for text in texts {
            let theirs = serde_json::from_str::<Value>(&text).ok();
            let event = SseEvent::new(text.clone());
            let ours = event.json().cloned();
            prop_assert_eq!(ours.as_ref().map(Value::to_string), theirs.as_ref().map(Value::to_string), "{}", text);
            prop_assert_eq!(ours, theirs, "{}", text);
        }
    }

    /// `SseEvent::json` and NDJSON lines read JSON exactly as serde_json does: the same
    /// value (in the same text form, so `-0.0` and `1.0` stay what they are) or, for
    /// NDJSON, serde_json's own error message.
    #[test]
    fn json_reads_exactly_as_serde_json(text in json_text()) {
        let theirs = serde_json::from_str::<Value>(&text);
        let ours = SseEvent::new(text.clone()).json().cloned();
        prop_assert_eq!(ours.as_ref().map(Value::to_string), theirs.as_ref().ok().map(Value::to_string));
        prop_assert_eq!(ours.as_ref(), theirs.as_ref().ok());

        let line = text.replace(['\n', '\r'], " ");
        let mut decoder = Decoder::new(Framing::Ndjson);
        decoder.push(Bytes::from(format!("{line}\n")));
        let item = decoder.next_event();
        match serde_json::from_slice::<Value>(line.as_bytes()) {
            Ok(value) => prop_assert_eq!(item, Some(Ok(Event::Json(value)))),
            Err(_) if line.trim().is_empty() => prop_assert_eq!(item, None),
            Err(err) => match item {
                Some(Err(DecodeError { message, .. })) => prop_assert_eq!(message, err.to_string()),
                other => prop_assert!(false, "{line:?}: expected an error, got {other:?}"),
            },
        }
    }
}
