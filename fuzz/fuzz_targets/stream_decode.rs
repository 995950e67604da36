//! Fuzz target: decoding in one piece and in seeded random chunks must agree and never panic.
#![no_main]

/// The decoder under test, named once so the shared check compiles against any crate path.
mod decode_under_test {
    pub use unitysvc::streaming::decode::*;
}

#[path = "../common/stream_decode_check.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| check::check(data));
