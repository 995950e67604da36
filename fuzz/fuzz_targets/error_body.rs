//! Fuzz target: any error body yields no detail or a detail that renders, never a panic.
#![no_main]

use std::fmt::Write;
use unitysvc::ErrorDetail;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some(detail) = ErrorDetail::parse(data) else {
        return;
    };
    let mut shown = String::new();
    let _ = write!(shown, "{detail}");
    let _ = write!(shown, "{detail:?}");
    // A plain FastAPI message is what users read, so it must come out verbatim.
    if let ErrorDetail::Message(m) = &detail {
        assert!(shown.starts_with(m.as_str()));
    }
});
