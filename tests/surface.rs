//! The generated operation layer reaches every input of every operation in `openapi.json`.
//!
//! `reach.rs` (generated with the builders) calls every positional argument and setter of
//! every operation through the async and the blocking client; it only has to compile. This
//! test then walks the document itself and fails on any parameter or body field that the
//! generated calls do not cover.

include!(concat!(env!("OUT_DIR"), "/operations/reach.rs"));

use serde_json::Value;
use std::collections::BTreeSet;

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let path = r.trim_start_matches("#/");
        return resolve(doc, path.split('/').fold(doc, |v, k| &v[k]));
    }
    if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
        if let Some(object) = branches
            .iter()
            .find(|b| b.get("type") != Some(&"null".into()))
        {
            return resolve(doc, object);
        }
    }
    schema
}

/// `(operationId, location, name)` for every input the document declares.
fn documented_inputs(doc: &Value) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            for p in op["parameters"].as_array().into_iter().flatten() {
                let location = p["in"].as_str().unwrap();
                // Auth headers are the client's job, not a call's argument.
                if location == "header" {
                    continue;
                }
                out.insert((
                    id.into(),
                    location.into(),
                    p["name"].as_str().unwrap().into(),
                ));
            }
            if let Some(content) = op.pointer("/requestBody/content") {
                let media = content.as_object().unwrap().values().next().unwrap();
                let body = resolve(doc, &media["schema"]);
                match body.get("properties").and_then(Value::as_object) {
                    Some(props) => {
                        for name in props.keys() {
                            out.insert((id.into(), "body".into(), name.clone()));
                        }
                    }
                    None => {
                        out.insert((id.into(), "body".into(), "body".into()));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn every_parameter_and_body_field_has_a_setter_in_async_and_blocking() {
    // Referencing the functions makes the compiler check every call they make.
    let _ = reach_async as fn(&unitysvc::Client);
    let _ = spawn_all as fn(&unitysvc::Client);
    #[cfg(feature = "blocking")]
    let _ = reach_blocking as fn(&unitysvc::blocking::Client);

    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json"))
        .expect("openapi.json");
    let doc: Value = serde_json::from_str(&text).expect("openapi.json is JSON");
    let documented = documented_inputs(&doc);
    let reached: BTreeSet<(String, String, String)> = INPUTS
        .iter()
        .map(|(op, location, name)| ((*op).into(), (*location).into(), (*name).into()))
        .collect();
    let missing: Vec<_> = documented.difference(&reached).collect();
    assert!(missing.is_empty(), "inputs with no setter: {missing:#?}");
    assert!(
        documented.len() > 150,
        "the walk found {} inputs",
        documented.len()
    );
}

#[test]
fn the_platform_inputs_that_used_to_be_unreachable_are_set_on_the_wire() {
    // A few of the inputs the hand-written layer could not set, by their generated setters.
    let reached: BTreeSet<(&str, &str)> = INPUTS.iter().map(|(op, _, name)| (*op, *name)).collect();
    for (op, name) in [
        ("customer-get_enrollment", "include_service_details"),
        ("customer-groups-create_customer_group", "shared"),
        ("customer-groups-list_groups", "shared"),
        ("customer-groups-list_groups", "name"),
        ("customer-secrets-delete_secret", "shared"),
        ("customer-services-list_service_documents", "category"),
        ("customer-services-list_service_documents", "mime_type"),
        (
            "customer-services-list_service_documents",
            "include_content",
        ),
        ("customer-services-list_service_documents", "interface"),
        ("customer-enroll", "status"),
        ("customer-enroll", "recurrence_schedule"),
        (
            "customer-services-set_customer_group_membership",
            "include_default",
        ),
    ] {
        assert!(reached.contains(&(op, name)), "{op} {name}");
    }
}

mod common;

#[tokio::test]
async fn calls_are_spawnable_and_awaitable_directly() {
    let (_sb, client) = common::start().await;
    let sent = tokio::spawn(client.groups().get("llm").send());
    let awaited = tokio::spawn(std::future::IntoFuture::into_future(
        client.groups().get("llm"),
    ));
    assert_eq!(sent.await.unwrap().unwrap().name, "llm");
    assert_eq!(awaited.await.unwrap().unwrap().name, "llm");
    // The builder owns its arguments: the manager it came from may be gone.
    let builder = {
        let groups = client.groups();
        groups.get(String::from("llm"))
    };
    assert_eq!(builder.await.unwrap().name, "llm");
}
