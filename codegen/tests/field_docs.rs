//! Every field of every component schema in our openapi.json carries a description of ours,
//! because those words become the `///` docs on the generated record fields.

mod support;

use serde_json::Value;
use support::our_spec_text;

#[test]
fn every_component_schema_property_has_our_description() {
    let doc: Value = serde_json::from_str(&our_spec_text()).expect("openapi.json is JSON");
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .expect("openapi.json has component schemas");
    let mut fields = 0;
    let mut bare = Vec::new();
    for (name, schema) in schemas {
        let props = schema.get("properties").and_then(Value::as_object);
        for (field, prop) in props.into_iter().flatten() {
            fields += 1;
            let words = prop.get("description").and_then(Value::as_str);
            if words.is_none_or(|w| w.trim().is_empty()) {
                bare.push(format!("{name}.{field}"));
            }
        }
    }
    assert!(fields > 0, "no component schema has properties");
    assert!(
        bare.is_empty(),
        "{} of {fields} fields have no description: {bare:?}",
        bare.len()
    );
}
