//! The JSON Schema of every generated type (schemars) agrees with openapi.json on property
//! names, the required set, and each property's type and nullability.
//!
//! The table of components and their types is written by build.rs from the same generation
//! run that produced the client, so a component added to openapi.json is checked at once.
//!
//! The impls come with the `schemars` feature, so this file is empty without it; `.ci/run`
//! runs it with `cargo test -p unitysvc --features schemars --test schema_fidelity`.

#![cfg(feature = "schemars")]

use schemars::schema::RootSchema;
use schemars::JsonSchema;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fn schema_of<T: JsonSchema>() -> RootSchema {
    schemars::schema_for!(T)
}

/// Builds the JSON Schema of one generated type.
type SchemaFn = fn() -> RootSchema;

/// (component name, JSON Schema of its generated type), for every component.
const COMPONENTS: &[(&str, SchemaFn)] = include!(concat!(env!("OUT_DIR"), "/component_types.rs"));

/// What a schema admits, reduced to what both sides can state: the JSON type, the format of
/// ids and timestamps, enum values, element types, and which named object it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Any,
    Boolean,
    Integer,
    Number,
    String(Option<String>),
    Enum(BTreeSet<String>),
    Array(Box<Shape>),
    Map(Box<Shape>),
    /// An object with properties: the component it is, or `None` for an inline one.
    Object(Option<String>),
    Union(BTreeSet<Shape>),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Shape {
    kind: Kind,
    nullable: bool,
}

impl Shape {
    fn of(kind: Kind) -> Shape {
        Shape {
            kind,
            nullable: false,
        }
    }

    fn or_null(mut self, nullable: bool) -> Shape {
        self.nullable |= nullable;
        self
    }
}

/// Component names compare case- and punctuation-blind: typify spells
/// `CursorPage_ServiceSummary_` as `CursorPageServiceSummary`.
fn loose(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Formats both sides can carry; others (`uri`, `email`) become plain Rust strings.
fn kept_format(schema: &Value) -> Option<String> {
    schema
        .get("format")
        .and_then(Value::as_str)
        .filter(|f| matches!(*f, "uuid" | "date-time"))
        .map(str::to_owned)
}

/// One side of the comparison: how to follow a `$ref` and which names are components.
struct Side<'a> {
    definitions: &'a serde_json::Map<String, Value>,
    components: &'a BTreeSet<String>,
}

impl Side<'_> {
    fn shape(&self, schema: &Value) -> Shape {
        let Some(map) = schema.as_object() else {
            return Shape::of(Kind::Any);
        };
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            let name = reference.rsplit('/').next().unwrap_or_default();
            let target = self.definitions.get(name).unwrap_or(&Value::Null);
            if target.get("properties").is_some() {
                let named = Some(loose(name)).filter(|n| self.components.contains(n));
                return Shape::of(Kind::Object(named));
            }
            return self.shape(target);
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            if let Some(variants) = map.get(key).and_then(Value::as_array) {
                let nullable = variants.iter().any(is_null);
                let rest: BTreeSet<Shape> = variants
                    .iter()
                    .filter(|v| !is_null(v))
                    .map(|v| self.shape(v))
                    .collect();
                let shape = if rest.len() == 1 {
                    rest.into_iter().next().unwrap_or(Shape::of(Kind::Any))
                } else {
                    Shape::of(Kind::Union(rest))
                };
                return shape.or_null(nullable || map.get("nullable") == Some(&Value::Bool(true)));
            }
        }
        let types: Vec<&str> = match map.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let nullable = types.contains(&"null");
        let concrete: Vec<&str> = types.into_iter().filter(|t| *t != "null").collect();
        let shape = match concrete.as_slice() {
            [] if map.contains_key("const") || map.contains_key("enum") => {
                self.typed("string", map)
            }
            [] => Shape::of(Kind::Any),
            [one] => self.typed(one, map),
            many => Shape::of(Kind::Union(
                many.iter().map(|t| self.typed(t, map)).collect(),
            )),
        };
        shape.or_null(nullable)
    }

    fn typed(&self, ty: &str, map: &serde_json::Map<String, Value>) -> Shape {
        let kind = match ty {
            "boolean" => Kind::Boolean,
            "integer" => Kind::Integer,
            "number" => Kind::Number,
            "string" => {
                let values: Option<BTreeSet<String>> = map
                    .get("enum")
                    .and_then(Value::as_array)
                    .map(|vs| {
                        vs.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .or_else(|| {
                        map.get("const")
                            .and_then(Value::as_str)
                            .map(|c| BTreeSet::from([c.to_owned()]))
                    });
                match values {
                    Some(values) => Kind::Enum(values),
                    None => Kind::String(kept_format(&Value::Object(map.clone()))),
                }
            }
            "array" => Kind::Array(Box::new(
                map.get("items")
                    .map(|items| self.shape(items))
                    .unwrap_or(Shape::of(Kind::Any)),
            )),
            "object" if map.contains_key("properties") => Kind::Object(None),
            "object" => Kind::Map(Box::new(
                map.get("additionalProperties")
                    .filter(|v| v.is_object())
                    .map(|v| self.shape(v))
                    .unwrap_or(Shape::of(Kind::Any)),
            )),
            _ => Kind::Any,
        };
        Shape::of(kind)
    }
}

fn is_null(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
}

fn required(schema: &Value) -> BTreeSet<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn properties(schema: &Value) -> BTreeMap<String, Value> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.clone().into_iter().collect())
        .unwrap_or_default()
}

/// Where the spec's component `name` and a generated type's JSON Schema disagree.
fn mismatches(name: &str, spec: &Value, generated: &RootSchema) -> Vec<String> {
    let doc_components = spec["components"]["schemas"]
        .as_object()
        .expect("openapi.json has components");
    let component_names: BTreeSet<String> = doc_components.keys().map(|n| loose(n)).collect();
    let ours = Side {
        definitions: doc_components,
        components: &component_names,
    };
    let generated = serde_json::to_value(generated).expect("a JSON Schema serializes");
    let definitions = generated
        .get("definitions")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let theirs = Side {
        definitions: &definitions,
        components: &component_names,
    };
    let wanted = &doc_components[name];
    let mut out = Vec::new();

    if wanted.get("properties").is_none() {
        let (a, b) = (ours.shape(wanted), theirs.shape(&generated));
        if a != b {
            out.push(format!("{name}: spec {a:?}, generated {b:?}"));
        }
        return out;
    }

    let (props_a, props_b) = (properties(wanted), properties(&generated));
    let (req_a, req_b) = (required(wanted), required(&generated));
    let names_a: BTreeSet<&String> = props_a.keys().collect();
    let names_b: BTreeSet<&String> = props_b.keys().collect();
    if names_a != names_b {
        out.push(format!(
            "{name}: properties {names_a:?} vs generated {names_b:?}"
        ));
    }
    if req_a != req_b {
        out.push(format!("{name}: required {req_a:?} vs generated {req_b:?}"));
    }
    for (field, schema_a) in &props_a {
        let Some(schema_b) = props_b.get(field) else {
            continue;
        };
        let (a, b) = (ours.shape(schema_a), theirs.shape(schema_b));
        // A field the spec lets callers leave out is an `Option`, which also reads `null`
        // (and is never sent as one); only a required field must match nullability exactly.
        let nullable_ok = if req_a.contains(field) {
            a.nullable == b.nullable
        } else {
            b.nullable || !a.nullable
        };
        if a.kind != b.kind || !nullable_ok {
            out.push(format!("{name}.{field}: spec {a:?}, generated {b:?}"));
        }
    }
    out
}

fn our_spec() -> Value {
    serde_json::from_str(include_str!("../openapi.json")).expect("openapi.json is JSON")
}

#[test]
fn every_component_has_a_generated_type_with_a_json_schema() {
    let spec = our_spec();
    let listed: BTreeSet<&str> = COMPONENTS.iter().map(|(n, _)| *n).collect();
    let missing: Vec<&String> = spec["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|n| !listed.contains(n.as_str()))
        .collect();
    assert!(missing.is_empty(), "components without a type: {missing:?}");
}

#[test]
fn generated_json_schemas_agree_with_openapi_json() {
    let spec = our_spec();
    let components = spec["components"]["schemas"].as_object().unwrap();
    let mut problems = Vec::new();
    let mut fields = 0;
    for (name, schema_fn) in COMPONENTS {
        let Some(wanted) = components.get(*name) else {
            continue; // an enum the normalizer hoisted out of a field; checked through it
        };
        fields += properties(wanted).len();
        problems.extend(mismatches(name, &spec, &schema_fn()));
    }
    println!("{} components, {fields} fields checked", components.len());
    assert!(
        problems.is_empty(),
        "{} disagreements:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_comparison_notices_a_type_that_does_not_fit() {
    let spec = our_spec();
    let wrong = schema_of::<unitysvc::types::SecretUpdate>();
    let found = mismatches("SecretPublic", &spec, &wrong);
    assert!(found.iter().any(|m| m.contains("properties")), "{found:?}");
    assert!(found.iter().any(|m| m.contains("required")), "{found:?}");
    // The same field name with another type is caught too.
    let mut altered = spec.clone();
    altered["components"]["schemas"]["SecretPublic"]["properties"]["sensitive"] =
        serde_json::json!({"type": "string"});
    let found = mismatches(
        "SecretPublic",
        &altered,
        &schema_of::<unitysvc::types::SecretPublic>(),
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("SecretPublic.sensitive"));
}

#[test]
fn required_nullable_fields_are_required_and_nullable_in_the_json_schema() {
    let schema = serde_json::to_value(schema_of::<unitysvc::types::SecretPublic>()).unwrap();
    assert!(required(&schema).contains("last_used_at"));
    assert_eq!(
        schema["properties"]["last_used_at"]["type"],
        serde_json::json!(["string", "null"])
    );
    assert!(!required(&schema).contains("value"));
}
