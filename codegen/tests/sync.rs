//! `sync` end to end: a platform document with a new field on `SecretPublic` and a new
//! operation flows into our openapi.json and from there into the generated client; `--check`
//! tells drift from no drift by its exit status.

mod support;

use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Command;
use support::{our_spec_text, platform_spec_text, VAR};
use unitysvc_codegen::sync::{strip_prose, sync};

const FIELD_WORDS: &str = "Platform words about when the secret was last rotated.";
const OPERATION_WORDS: &str = "Platform words about rotating a secret to a fresh value.";

/// `platform` plus a `rotated_at` field on `SecretPublic` and `POST /secrets/{name}/rotate`,
/// both carrying the platform's own prose.
fn with_additions(platform: &str) -> String {
    let mut doc: Value = serde_json::from_str(platform).expect("platform document is JSON");
    doc["components"]["schemas"]["SecretPublic"]["properties"]["rotated_at"] = json!({
        "anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}],
        "title": "Rotated At",
        "description": FIELD_WORDS,
    });
    doc["paths"]["/secrets/{name}/rotate"] = json!({"post": {
        "tags": ["customer-secrets"],
        "summary": "Rotate Secret",
        "description": OPERATION_WORDS,
        "operationId": "customer-secrets-rotate_secret",
        "parameters": [{"name": "name", "in": "path", "required": true,
                        "schema": {"type": "string", "title": "Name"}}],
        "responses": {
            "200": {"description": "Successful Response",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SecretPublic"}}}},
            "422": {"description": "Validation Error",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}}}
        }
    }});
    serde_json::to_string_pretty(&doc).unwrap()
}

/// Our document with its prose removed: the same structure as the platform's (the
/// conformance test holds it to that), for the tests that run without the platform's file.
fn stand_in_platform() -> String {
    let ours: Value = serde_json::from_str(&our_spec_text()).unwrap();
    serde_json::to_string_pretty(&strip_prose(&ours)).unwrap()
}

fn sync_flows_into_the_generated_client(platform: &str) {
    let ours = our_spec_text();
    let changed = with_additions(platform);
    let synced = sync(&ours, &changed).expect("sync runs");
    let report = synced.report.render();
    println!("{report}");

    assert!(synced.report.has_drift());
    assert!(
        report.contains("+ operation customer-secrets-rotate_secret: POST /secrets/{name}/rotate")
    );
    assert!(report.contains("+ field SecretPublic.rotated_at"));
    assert!(report.contains(
        "operation customer-secrets-rotate_secret: POST /secrets/{name}/rotate: description"
    ));
    assert!(!synced.text.contains(FIELD_WORDS) && !synced.text.contains(OPERATION_WORDS));

    let updated: Value = serde_json::from_str(&synced.text).unwrap();
    assert_eq!(
        updated["paths"]["/secrets/{name}/rotate"]["post"]["summary"],
        "Rotate secret"
    );
    // Everything else keeps our words.
    assert_eq!(
        updated["paths"]["/secrets/{name}"]["put"]["summary"],
        serde_json::from_str::<Value>(&ours).unwrap()["paths"]["/secrets/{name}"]["put"]["summary"]
    );

    let generated = unitysvc_codegen::generate(&synced.text, &Default::default())
        .expect("the synced document generates");
    assert!(generated
        .operation_ids
        .contains(&"customer-secrets-rotate_secret".to_owned()));
    assert!(generated
        .code
        .contains("pub fn customer_secrets_rotate_secret("));
    assert!(generated
        .code
        .contains("pub struct CustomerSecretsRotateSecret<'a> {"));
    let secret_public = generated
        .code
        .split("pub struct SecretPublic {")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
        .expect("SecretPublic is generated");
    assert!(
        secret_public.contains("pub rotated_at: ::std::option::Option<"),
        "{secret_public}"
    );

    // Synced once, the document is in step: a second run changes nothing.
    let again = sync(&synced.text, &changed).unwrap();
    assert!(!again.report.has_drift(), "{:?}", again.report.changes);
    assert_eq!(again.text, synced.text);
}

#[test]
fn a_new_field_and_operation_reach_the_generated_client() {
    sync_flows_into_the_generated_client(&stand_in_platform());
}

#[test]
#[ignore = "needs UNITYSVC_PLATFORM_SPEC"]
fn a_new_field_and_operation_in_the_platform_spec_reach_the_generated_client() {
    sync_flows_into_the_generated_client(&platform_spec_text());
}

fn run_check(platform: &std::path::Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_unitysvc-codegen"))
        .args(["sync", "--check", "--spec"])
        .arg(support::workspace().join("openapi.json"))
        .arg(platform)
        .output()
        .expect("the sync binary runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code(), text)
}

fn scratch(name: &str, text: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn check_exits_1_on_drift_and_writes_nothing() {
    let before = our_spec_text();
    let platform = scratch(
        "platform-with-additions.json",
        &with_additions(&stand_in_platform()),
    );
    let (code, output) = run_check(&platform);
    assert_eq!(code, Some(1), "{output}");
    assert!(
        output.contains("+ field SecretPublic.rotated_at"),
        "{output}"
    );
    assert_eq!(our_spec_text(), before, "--check must not write");

    let in_step = scratch("platform-in-step.json", &stand_in_platform());
    let (code, output) = run_check(&in_step);
    assert_eq!(code, Some(0), "{output}");
    assert!(output.contains("no drift"), "{output}");
}

#[test]
#[ignore = "needs UNITYSVC_PLATFORM_SPEC"]
fn check_reports_no_drift_against_the_platform_spec() {
    let (code, output) = run_check(&support::platform_spec_path());
    println!("{output}");
    assert_eq!(code, Some(0), "{VAR}: {output}");
    assert!(output.contains("no drift"), "{output}");
}

#[test]
fn a_missing_platform_file_is_an_error_not_a_pass() {
    let (code, output) = run_check(&PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("absent.json"));
    assert_eq!(code, Some(2), "{output}");
    assert!(output.contains("cannot read"), "{output}");
}
