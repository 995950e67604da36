//! Fuzz target: the OpenAPI normalizer returns a document or an error for any JSON, never a
//! panic, and gives the same answer twice (it promises deterministic output).
//!
//! Only the normalizer is fuzzed, not `unitysvc_codegen::generate`: progenitor panics on many
//! malformed documents by design, and libFuzzer's panic hook aborts before a `catch_unwind`
//! could turn that into an error, so every run would stop at the first such document.
#![no_main]

use serde_json::Value;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(doc) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let first = unitysvc_codegen::normalize(&doc);
    let second = unitysvc_codegen::normalize(&doc);
    match (first, second) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.spec, b.spec);
            assert_eq!(a.enums, b.enums);
            assert_eq!(a.spec["openapi"], "3.0.3");
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("normalize disagreed with itself: {a:?} vs {b:?}"),
    }
});
