//! Output: tables and key-value lines for people, JSON documents and NDJSON for programs,
//! and progress indicators on stderr.

use crate::error::CliResult;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use serde_json::{json, Value};
use std::io::Write;
use std::time::Duration;
use unitysvc::Event;

/// A table with a header row; columns are padded to their widest cell.
#[derive(Debug, Default)]
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    pub fn new(headers: &[&'static str]) -> Table {
        Table {
            headers: headers.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells print empty.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Renders the table as lines, each prefixed by `indent`.
    pub fn render(&self, indent: &str) -> String {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                if i < widths.len() {
                    widths[i] = widths[i].max(cell.chars().count());
                }
            }
        }
        let line = |cells: &mut dyn Iterator<Item = &str>| {
            let mut out = String::from(indent);
            for (i, width) in widths.iter().enumerate() {
                let cell = cells.next().unwrap_or("");
                if i + 1 == widths.len() {
                    out.push_str(cell);
                } else {
                    out.push_str(&format!("{cell:<width$}  "));
                }
            }
            out.trim_end().to_owned()
        };
        let mut out = line(&mut self.headers.iter().copied());
        out.push('\n');
        for row in &self.rows {
            out.push_str(&line(&mut row.iter().map(String::as_str)));
            out.push('\n');
        }
        out
    }

    /// Prints the table to stdout.
    pub fn print(&self) {
        print!("{}", self.render(""));
    }
}

/// Prints `label: value` pairs with the labels aligned.
pub fn fields(pairs: &[(&str, String)]) {
    let width = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1;
    for (key, value) in pairs {
        let label = format!("{key}:");
        println!("{label:<width$} {value}");
    }
}

/// Prints a value as pretty JSON.
pub fn json<T: Serialize + ?Sized>(value: &T) -> CliResult {
    let text = serde_json::to_string_pretty(value)?;
    println!("{text}");
    Ok(())
}

/// An optional value, or `-`.
pub fn opt<T: ToString>(value: Option<T>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

/// Writes and flushes a fragment of text, for output that arrives piece by piece.
pub fn fragment(text: &str) -> CliResult {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// One page of a list, printed as `{items, next_cursor, has_more}` with `--json`.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// The `--cursor` that continues the list, when there is more.
    pub next_cursor: Option<String>,
    /// Whether a later page has more items.
    pub has_more: bool,
}

impl<T> Page<T> {
    /// A whole list in one page.
    pub fn complete(items: Vec<T>) -> Page<T> {
        Page {
            items,
            next_cursor: None,
            has_more: false,
        }
    }

    /// An offset page; its cursor is the number of items to skip.
    pub fn from_offset(page: unitysvc::pagination::Page<T>) -> Page<T> {
        let has_more = page.has_more();
        let next = page.skip + page.items.len() as u64;
        Page {
            items: page.items,
            next_cursor: has_more.then(|| next.to_string()),
            has_more,
        }
    }

    /// A cursor page.
    pub fn from_cursor(page: unitysvc::pagination::CursorPage<T>) -> Page<T> {
        let has_more = page.has_more && page.next_cursor.is_some();
        Page {
            items: page.items,
            next_cursor: page.next_cursor.filter(|_| has_more),
            has_more,
        }
    }

    /// The same page with each item converted.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
            has_more: self.has_more,
        }
    }

    /// Prints the page: JSON, or the table `table` builds plus a note on how to go on.
    pub fn print(&self, json_mode: bool, table: impl FnOnce(&[T]) -> Table) -> CliResult
    where
        T: Serialize,
    {
        if json_mode {
            return json(self);
        }
        table(&self.items).print();
        if let Some(cursor) = &self.next_cursor {
            eprintln!("more: pass --cursor {cursor} (or --all)");
        }
        Ok(())
    }
}

/// Writes a warning to stderr: `warning: …`, or `{"warning": "…"}` with `--json`.
pub fn warn(json_mode: bool, message: &str) {
    if json_mode {
        eprintln!("{}", json!({ "warning": message }));
    } else {
        eprintln!("warning: {message}");
    }
}

/// Prints one JSON value on one line: an NDJSON record.
pub fn json_line<T: Serialize + ?Sized>(value: &T) -> CliResult {
    let text = serde_json::to_string(value)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()?;
    Ok(())
}

/// A streamed event as one JSON object: `{"type": "sse", "event", "id", "data"}`, `json`,
/// `line`, `bytes` or `done`; SSE data that parses as JSON is embedded as JSON.
pub fn event_json(event: &Event) -> Value {
    match event {
        Event::Sse(sse) => json!({
            "type": "sse",
            "event": sse.event(),
            "id": sse.id(),
            "data": sse.json().cloned().unwrap_or_else(|| Value::String(sse.data().to_owned())),
        }),
        Event::Json(value) => json!({"type": "json", "data": value}),
        Event::Line(line) => json!({"type": "line", "data": line}),
        Event::Bytes(bytes) => json!({"type": "bytes", "data": String::from_utf8_lossy(bytes)}),
        Event::Done => json!({"type": "done"}),
        _ => json!({"type": "unknown"}),
    }
}

/// A spinner on stderr with a message; hidden when stderr is not a terminal or `hidden`.
pub fn spinner(message: impl Into<String>, hidden: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, draw_target(hidden));
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message.into());
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

/// A byte-count progress bar on stderr; hidden when stderr is not a terminal or `hidden`.
pub fn bytes_bar(total: Option<u64>, message: impl Into<String>, hidden: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(total, draw_target(hidden));
    let template = if total.is_some() {
        "{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})"
    } else {
        "{spinner} {msg} {bytes} ({bytes_per_sec})"
    };
    bar.set_style(
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(message.into());
    bar
}

fn draw_target(hidden: bool) -> ProgressDrawTarget {
    if hidden {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    }
}
