//! Our `openapi.json` must describe the platform's API exactly: same paths, methods,
//! operationIds, parameters and schemas. Only prose (descriptions, summaries, examples) may
//! differ. Needs the platform's published document in `UNITYSVC_PLATFORM_SPEC`; ignored
//! without it (see `support`).

mod support;

use serde_json::Value;
use support::{our_spec_text, platform_spec};
use unitysvc_codegen::sync::{diff, structure, PROSE};

#[test]
#[ignore = "needs UNITYSVC_PLATFORM_SPEC"]
fn our_spec_matches_the_platform_contract() {
    let theirs = platform_spec();
    let ours: Value = serde_json::from_str(&our_spec_text()).expect("openapi.json is JSON");

    let ops_ours = unitysvc_codegen::operation_ids(&ours);
    let ops_theirs = unitysvc_codegen::operation_ids(&theirs);
    let matched = ops_ours.iter().filter(|o| ops_theirs.contains(o)).count();
    println!("operations: {matched}/{} match", ops_theirs.len());

    let mut differences = Vec::new();
    diff("", &structure(&ours), &structure(&theirs), &mut differences);
    println!("differences: {}", differences.len());
    for d in differences.iter().take(50) {
        println!("  {d}");
    }
    assert_eq!(matched, ops_theirs.len(), "operations differ");
    assert_eq!(ops_ours.len(), ops_theirs.len(), "operation count differs");
    assert!(
        differences.is_empty(),
        "{} structural differences",
        differences.len()
    );
}

#[test]
#[ignore = "needs UNITYSVC_PLATFORM_SPEC"]
fn our_prose_is_our_own() {
    let theirs = platform_spec();
    let ours = our_spec_text();
    let mut copied = Vec::new();
    collect_prose(&theirs, false, &mut |text| {
        // Short labels like "OK" can coincide; whole sentences must not.
        if text.len() > 40 && ours.contains(&serde_json::to_string(text).unwrap_or_default()) {
            copied.push(text.to_owned());
        }
    });
    assert!(
        copied.is_empty(),
        "prose copied from the platform: {copied:?}"
    );
}

fn collect_prose(v: &Value, in_props: bool, f: &mut dyn FnMut(&str)) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if !in_props && PROSE.contains(&k.as_str()) {
                    if let Some(s) = v.as_str() {
                        f(s);
                    }
                }
                collect_prose(v, !in_props && k == "properties", f);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_prose(v, false, f)),
        _ => {}
    }
}

#[test]
#[ignore = "needs UNITYSVC_PLATFORM_SPEC"]
fn the_platform_spec_generates_every_operation() {
    let theirs = platform_spec();
    let generated = unitysvc_codegen::generate(&theirs.to_string(), &Default::default())
        .expect("the platform's own document generates");
    let methods = generated.code.matches("pub async fn send(").count();
    println!(
        "platform spec: {} operations, {methods} client methods, {} lines",
        generated.operation_ids.len(),
        generated.code.lines().count()
    );
    assert_eq!(generated.operation_ids.len(), 61);
    assert_eq!(methods, 61);
}
