//! Our `openapi.json` must describe the platform's API exactly: same paths, methods,
//! operationIds, parameters and schemas. Only prose (descriptions, summaries, examples) may
//! differ. Needs the platform's published document in `../shared`; skips without it.

use serde_json::Value;
use std::path::PathBuf;

const PROSE: &[&str] = &["description", "summary", "examples", "example"];

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen sits inside the workspace")
        .to_path_buf()
}

fn platform_spec() -> Option<Value> {
    let path = workspace().join("../shared/reference/customer-api.openapi.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_json::from_str(&text).expect("the platform spec is JSON")),
        Err(_) => {
            eprintln!(
                "skipped: {} is absent (it ships with CI, not with the repository)",
                path.display()
            );
            None
        }
    }
}

/// Drops prose; `in_props` marks maps whose keys are field names, where "description" is a
/// field and must stay.
fn strip_prose(v: &Value, in_props: bool) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, v)| in_props || !PROSE.contains(&k.as_str()) || v.is_object())
                .map(|(k, v)| (k.clone(), strip_prose(v, !in_props && k == "properties")))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| strip_prose(v, false)).collect()),
        other => other.clone(),
    }
}

fn diff(path: &str, ours: &Value, theirs: &Value, out: &mut Vec<String>) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                match b.get(k) {
                    Some(vb) => diff(&format!("{path}/{k}"), va, vb, out),
                    None => out.push(format!("{path}/{k}: only in ours")),
                }
            }
            for k in b.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!("{path}/{k}: missing from ours"));
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                diff(&format!("{path}/{i}"), va, vb, out);
            }
        }
        _ if ours == theirs => {}
        _ => out.push(format!("{path}: ours {ours} != platform {theirs}")),
    }
}

#[test]
fn our_spec_matches_the_platform_contract() {
    let Some(theirs) = platform_spec() else {
        return;
    };
    let ours: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace().join("openapi.json")).expect("openapi.json"),
    )
    .expect("openapi.json is JSON");

    let ops_ours = unitysvc_codegen::operation_ids(&ours);
    let ops_theirs = unitysvc_codegen::operation_ids(&theirs);
    let matched = ops_ours.iter().filter(|o| ops_theirs.contains(o)).count();
    println!("operations: {matched}/{} match", ops_theirs.len());

    let mut differences = Vec::new();
    for section in ["paths", "components", "openapi"] {
        diff(
            &format!("/{section}"),
            &strip_prose(&ours[section], false),
            &strip_prose(&theirs[section], false),
            &mut differences,
        );
    }
    diff(
        "/info/version",
        &ours["info"]["version"],
        &theirs["info"]["version"],
        &mut differences,
    );
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
fn our_prose_is_our_own() {
    let Some(theirs) = platform_spec() else {
        return;
    };
    let ours = std::fs::read_to_string(workspace().join("openapi.json")).expect("openapi.json");
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
fn the_platform_spec_generates_every_operation() {
    let Some(theirs) = platform_spec() else {
        return;
    };
    let generated = unitysvc_codegen::generate(&theirs.to_string(), &Default::default())
        .expect("the platform's own document generates");
    let methods = generated.code.matches("pub async fn send(").count();
    println!(
        "platform spec: {} operations, {methods} client methods, {} lines",
        generated.operations.len(),
        generated.code.lines().count()
    );
    assert_eq!(generated.operations.len(), 61);
    assert_eq!(methods, 61);
}
