//! FastAPI's OpenAPI 3.1 dialect → the OpenAPI 3.0.3 subset progenitor accepts.
//!
//! Each rule is a small function over `serde_json::Value`, applied in a fixed order so the
//! output is deterministic: the same input always gives the same bytes.

use crate::unions::{order_object_unions, ObjectUnion};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Header parameters the platform documents on most operations; auth is the client's job,
/// and progenitor turns optional nullable headers into code that does not compile.
const DROPPED_HEADERS: &[&str] = &["authorization", "x-role-id"];

/// Annotation keywords progenitor ignores or mishandles: `title` on nested schemas makes
/// typify merge unrelated types, the others are 3.1-only.
const DROPPED_KEYWORDS: &[&str] = &["examples", "contentMediaType", "contentEncoding", "$schema"];

/// The response key every operation's success is filed under after normalization.
const SUCCESS_RANGE: &str = "2XX";

/// An enum schema found in the document; the generator emits an open Rust enum for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenEnum {
    /// The component name the enum is published under.
    pub name: String,
    /// The values the spec lists, in spec order.
    pub values: Vec<String>,
}

/// The normalized document plus what the generator needs to know about it.
#[derive(Debug, Clone)]
pub struct Normalized {
    /// The OpenAPI 3.0.3 document.
    pub spec: Value,
    /// String enums, all hoisted into named components.
    pub enums: Vec<OpenEnum>,
    /// Unions of object components whose generated enum must try its branches in order.
    pub unions: Vec<ObjectUnion>,
}

/// Normalizes a FastAPI OpenAPI 3.1 document for progenitor.
pub fn normalize(input: &Value) -> Result<Normalized, String> {
    let mut spec = input.clone();
    let root = spec
        .as_object_mut()
        .ok_or("the OpenAPI document is not a JSON object")?;
    root.insert("openapi".into(), Value::String("3.0.3".into()));
    root.remove("webhooks");
    root.remove("jsonSchemaDialect");

    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            normalize_path_item(item);
        }
    }
    // Schema rewriting covers paths too, so parameter and body schemas get it as well; `info`
    // is left alone (its `title` is required).
    for section in ["paths", "components"] {
        if let Some(v) = spec.get_mut(section) {
            rewrite_schemas(v, SchemaPos::Other);
        }
    }
    let unions = order_object_unions(&mut spec);
    let enums = hoist_enums(&mut spec)?;
    keep_ref_field_docs(&mut spec);
    Ok(Normalized {
        spec,
        enums,
        unions,
    })
}

fn normalize_path_item(item: &mut Value) {
    let Some(item) = item.as_object_mut() else {
        return;
    };
    drop_header_params(item);
    for method in [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ] {
        if let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) {
            drop_header_params(op);
            keep_one_success_response(op);
        }
    }
}

fn drop_header_params(holder: &mut Map<String, Value>) {
    if let Some(params) = holder.get_mut("parameters").and_then(Value::as_array_mut) {
        params.retain(|p| {
            let is_header = p.get("in").and_then(Value::as_str) == Some("header");
            let name = p
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_ascii_lowercase();
            !(is_header && DROPPED_HEADERS.contains(&name.as_str()))
        });
    }
}

/// Keeps one success response, under the `2XX` range key, and drops the error responses.
///
/// progenitor wants one success type per operation and matches it on the exact status it is
/// documented under, so a platform that answers `201 Created` where the table lists `200`
/// would turn a good answer into an error. The lowest documented 2xx gives the body shape;
/// the range key makes every 2xx status decode with it (progenitor emits `200..=299`). The
/// SDK reads every error status itself (one place turns them into `unitysvc::Error`).
fn keep_one_success_response(op: &mut Map<String, Value>) {
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    let lowest = responses
        .keys()
        .filter(|code| code.starts_with('2'))
        .min()
        .cloned();
    let success = lowest.and_then(|code| responses.remove(&code));
    responses.retain(|k, _| success.is_none() && k == "default");
    if let Some(success) = success {
        responses.insert(SUCCESS_RANGE.into(), success);
    }
}

#[derive(Clone, Copy, PartialEq)]
enum SchemaPos {
    /// Directly under `properties`: keys are field names, not keywords.
    PropertyMap,
    Other,
}

fn rewrite_schemas(value: &mut Value, pos: SchemaPos) {
    match value {
        Value::Object(map) => {
            if pos == SchemaPos::PropertyMap {
                for v in map.values_mut() {
                    rewrite_schemas(v, SchemaPos::Other);
                }
                return;
            }
            rewrite_schema_object(map);
            for (k, v) in map.iter_mut() {
                let child = if k == "properties" {
                    SchemaPos::PropertyMap
                } else {
                    SchemaPos::Other
                };
                rewrite_schemas(v, child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_schemas(v, pos)),
        _ => {}
    }
}

/// A field that is a bare `$ref` with our description beside it goes under `allOf`, because
/// 3.0 ignores siblings of `$ref` and the words would not reach the field's docs.
fn keep_ref_field_docs(spec: &mut Value) {
    let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for schema in schemas.values_mut() {
        let props = schema.get_mut("properties").and_then(Value::as_object_mut);
        for prop in props.into_iter().flat_map(|p| p.values_mut()) {
            let Some(map) = prop.as_object_mut() else {
                continue;
            };
            // Only words beside the `$ref`: another sibling (a `default`) would start to
            // count under `allOf` and change the field's type.
            let words_only = map.keys().all(|k| k == "$ref" || k == "description");
            if words_only && map.contains_key("description") {
                if let Some(r) = map.remove("$ref") {
                    map.insert("allOf".into(), serde_json::json!([{ "$ref": r }]));
                }
            }
        }
    }
}

fn is_null_schema(v: &Value) -> bool {
    v.get("type").and_then(Value::as_str) == Some("null")
        || v.get("const").is_some_and(Value::is_null)
        || v.get("enum")
            .and_then(Value::as_array)
            .is_some_and(|e| e.len() == 1 && e[0].is_null())
}

fn rewrite_schema_object(map: &mut Map<String, Value>) {
    for k in DROPPED_KEYWORDS {
        map.remove(*k);
    }
    // A `title` on a schema object (not a property named "title") only feeds typify's naming.
    if map.get("title").is_some_and(Value::is_string) {
        map.remove("title");
    }
    if map.get("example").is_some() && looks_like_schema(map) {
        map.remove("example");
    }
    null_union_to_nullable(map, "anyOf");
    null_union_to_nullable(map, "oneOf");
    type_array_to_nullable(map);
    exclusive_bound(map, "exclusiveMinimum", "minimum");
    exclusive_bound(map, "exclusiveMaximum", "maximum");
    if let Some(c) = map.remove("const") {
        map.insert("enum".into(), Value::Array(vec![c]));
    }
    // Unknown fields must keep decoding when the platform adds them.
    if map.get("additionalProperties") == Some(&Value::Bool(false)) {
        map.remove("additionalProperties");
    }
}

fn looks_like_schema(map: &Map<String, Value>) -> bool {
    [
        "type",
        "properties",
        "anyOf",
        "oneOf",
        "allOf",
        "$ref",
        "items",
        "enum",
    ]
    .iter()
    .any(|k| map.contains_key(*k))
}

/// `anyOf: [X, {type: null}]` → X with `nullable: true`; a `$ref` goes under `allOf`
/// because 3.0 ignores siblings of `$ref`.
fn null_union_to_nullable(map: &mut Map<String, Value>, key: &str) {
    let Some(Value::Array(variants)) = map.get(key) else {
        return;
    };
    if !variants.iter().any(is_null_schema) {
        return;
    }
    let rest: Vec<Value> = variants
        .iter()
        .filter(|v| !is_null_schema(v))
        .cloned()
        .collect();
    map.remove(key);
    match rest.len() {
        0 => {}
        1 => {
            let only = rest.into_iter().next().unwrap_or(Value::Null);
            match only {
                Value::Object(inner) if inner.contains_key("$ref") => {
                    map.insert("allOf".into(), Value::Array(vec![Value::Object(inner)]));
                }
                Value::Object(inner) => {
                    for (k, v) in inner {
                        map.entry(k).or_insert(v);
                    }
                }
                _ => {}
            }
        }
        _ => {
            map.insert(key.into(), Value::Array(rest));
        }
    }
    map.insert("nullable".into(), Value::Bool(true));
}

fn type_array_to_nullable(map: &mut Map<String, Value>) {
    let Some(Value::Array(types)) = map.get("type") else {
        return;
    };
    let non_null: Vec<Value> = types
        .iter()
        .filter(|t| t.as_str() != Some("null"))
        .cloned()
        .collect();
    let had_null = non_null.len() != types.len();
    match non_null.len() {
        0 => {
            map.remove("type");
        }
        1 => {
            map.insert("type".into(), non_null[0].clone());
        }
        _ => {
            // Several concrete types: an anyOf of single-typed schemas says the same in 3.0.
            map.remove("type");
            let alts = non_null
                .into_iter()
                .map(|t| Value::Object(Map::from_iter([("type".to_string(), t)])))
                .collect();
            map.insert("anyOf".into(), Value::Array(alts));
        }
    }
    if had_null {
        map.insert("nullable".into(), Value::Bool(true));
    }
}

/// 3.1's numeric `exclusiveMinimum: 5` is 3.0's `minimum: 5, exclusiveMinimum: true`.
fn exclusive_bound(map: &mut Map<String, Value>, exclusive: &str, inclusive: &str) {
    if let Some(n) = map.get(exclusive).filter(|v| v.is_number()).cloned() {
        map.insert(inclusive.into(), n);
        map.insert(exclusive.into(), Value::Bool(true));
    }
}

/// Moves every string enum into a named component so the generator can give it an open Rust
/// type; inline enums with the same values share one component.
fn hoist_enums(spec: &mut Value) -> Result<Vec<OpenEnum>, String> {
    let mut named: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let schemas = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut);
    let mut by_values: BTreeMap<Vec<String>, String> = BTreeMap::new();
    if let Some(schemas) = schemas {
        for (name, schema) in schemas.iter() {
            if let Some(values) = string_enum_values(schema) {
                by_values
                    .entry(values.clone())
                    .or_insert_with(|| name.clone());
                named.insert(name.clone(), values);
            }
        }
    }
    let mut hoisted: BTreeMap<String, Vec<String>> = BTreeMap::new();
    hoist_walk(spec, &mut Vec::new(), &mut by_values, &mut hoisted, &named);
    if !hoisted.is_empty() {
        let schemas = spec
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
            .ok_or("inline enums found but the document has no components.schemas")?;
        for (name, values) in &hoisted {
            if schemas.contains_key(name) {
                return Err(format!("hoisted enum name {name} collides with a schema"));
            }
            schemas.insert(
                name.clone(),
                serde_json::json!({ "type": "string", "enum": values }),
            );
        }
        named.extend(hoisted);
    }
    Ok(named
        .into_iter()
        .map(|(name, values)| OpenEnum { name, values })
        .collect())
}

fn string_enum_values(schema: &Value) -> Option<Vec<String>> {
    let obj = schema.as_object()?;
    if obj.get("type").and_then(Value::as_str) != Some("string") {
        return None;
    }
    let values = obj.get("enum")?.as_array()?;
    values
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

fn pascal(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The name of an inline enum: the field (or parameter) it sits in, qualified by its owner
/// only when the bare name is taken.
fn inline_enum_name(trail: &[String], taken: impl Fn(&str) -> bool) -> String {
    // Trails look like components/schemas/<Owner>/properties/<field>/… or
    // paths/<path>/<method>/parameters/<param name>/schema.
    let field = match trail.iter().rposition(|s| s == "properties") {
        Some(p) => trail.get(p + 1),
        None => trail.iter().rev().find(|s| *s != "schema" && *s != "items"),
    };
    let field = pascal(field.map(String::as_str).unwrap_or("value"));
    if !taken(&field) {
        return field;
    }
    let owner = trail
        .iter()
        .position(|s| s == "schemas")
        .and_then(|p| trail.get(p + 1))
        .map(|s| pascal(s))
        .unwrap_or_else(|| "Param".into());
    format!("{owner}{field}")
}

fn hoist_walk(
    value: &mut Value,
    trail: &mut Vec<String>,
    by_values: &mut BTreeMap<Vec<String>, String>,
    hoisted: &mut BTreeMap<String, Vec<String>>,
    named: &BTreeMap<String, Vec<String>>,
) {
    let is_component_root = trail.len() == 3 && trail[0] == "components" && trail[1] == "schemas";
    if !is_component_root {
        if let Some(values) = string_enum_values(value) {
            let name = match by_values.get(&values) {
                Some(name) => name.clone(),
                None => {
                    let name = inline_enum_name(trail, |n| {
                        named.contains_key(n) || hoisted.contains_key(n)
                    });
                    by_values.insert(values.clone(), name.clone());
                    name
                }
            };
            if !named.contains_key(&name) {
                hoisted.insert(name.clone(), values);
            }
            if let Some(obj) = value.as_object_mut() {
                obj.remove("enum");
                obj.remove("type");
                obj.remove("default");
                obj.insert(
                    "$ref".into(),
                    Value::String(format!("#/components/schemas/{name}")),
                );
                // 3.0 ignores siblings of $ref, so keep nullability by wrapping.
                if obj.remove("nullable") == Some(Value::Bool(true)) {
                    let r = obj.remove("$ref").unwrap_or(Value::Null);
                    obj.insert("allOf".into(), serde_json::json!([{ "$ref": r }]));
                    obj.insert("nullable".into(), Value::Bool(true));
                }
            }
            return;
        }
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                trail.push(k.clone());
                hoist_walk(v, trail, by_values, hoisted, named);
                trail.pop();
            }
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                let label = item
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .unwrap_or_else(|| "item".to_string());
                trail.push(label);
                hoist_walk(item, trail, by_values, hoisted, named);
                trail.pop();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(schemas: Value) -> Value {
        json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
               "components": {"schemas": schemas}})
    }

    fn schema(out: &Normalized, name: &str) -> Value {
        out.spec["components"]["schemas"][name].clone()
    }

    #[test]
    fn a_described_ref_field_keeps_its_words_under_all_of() {
        let spec = json!({"openapi": "3.1.0", "paths": {}, "components": {"schemas": {
            "A": {"type": "object", "properties": {
                "b": {"$ref": "#/components/schemas/B", "description": "Our words."},
                "c": {"$ref": "#/components/schemas/B"}}},
            "B": {"type": "object", "properties": {}}}}});
        let out = normalize(&spec).unwrap().spec;
        let props = &out["components"]["schemas"]["A"]["properties"];
        assert_eq!(
            props["b"],
            json!({"allOf": [{"$ref": "#/components/schemas/B"}], "description": "Our words."})
        );
        assert_eq!(props["c"], json!({"$ref": "#/components/schemas/B"}));
    }

    #[test]
    fn version_becomes_3_0_3() {
        let out = normalize(&doc(json!({}))).unwrap();
        assert_eq!(out.spec["openapi"], "3.0.3");
        assert_eq!(out.spec["info"]["title"], "t");
    }

    #[test]
    fn any_of_with_null_becomes_nullable() {
        let out = normalize(&doc(json!({"A": {"type": "object", "properties": {
            "s": {"anyOf": [{"type": "string", "maxLength": 5}, {"type": "null"}], "title": "S"}}}})))
        .unwrap();
        assert_eq!(
            schema(&out, "A")["properties"]["s"],
            json!({"type": "string", "maxLength": 5, "nullable": true})
        );
    }

    #[test]
    fn nullable_reference_goes_under_all_of() {
        let out = normalize(&doc(
            json!({"B": {"type": "object"}, "A": {"type": "object", "properties": {
            "b": {"anyOf": [{"$ref": "#/components/schemas/B"}, {"type": "null"}]}}}}),
        ))
        .unwrap();
        assert_eq!(
            schema(&out, "A")["properties"]["b"],
            json!({"allOf": [{"$ref": "#/components/schemas/B"}], "nullable": true})
        );
    }

    #[test]
    fn one_of_with_several_variants_keeps_them_and_adds_nullable() {
        let out = normalize(&doc(
            json!({"A": {"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}}),
        ))
        .unwrap();
        assert_eq!(
            schema(&out, "A"),
            json!({"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
        );
    }

    #[test]
    fn type_array_with_null_becomes_nullable() {
        let out = normalize(&doc(json!({"A": {"type": ["integer", "null"]}}))).unwrap();
        assert_eq!(
            schema(&out, "A"),
            json!({"type": "integer", "nullable": true})
        );
    }

    #[test]
    fn numeric_exclusive_bounds_become_booleans() {
        let out = normalize(&doc(
            json!({"A": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}}),
        ))
        .unwrap();
        assert_eq!(
            schema(&out, "A"),
            json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1, "exclusiveMaximum": true})
        );
    }

    #[test]
    fn const_becomes_a_one_value_enum() {
        let out = normalize(&doc(
            json!({"A": {"type": "object", "properties": {"k": {"type": "integer", "const": 3}}}}),
        ))
        .unwrap();
        assert_eq!(
            schema(&out, "A")["properties"]["k"],
            json!({"type": "integer", "enum": [3]})
        );
    }

    #[test]
    fn examples_content_media_type_and_titles_are_dropped() {
        let out = normalize(&doc(json!({"A": {"type": "object", "title": "A", "properties": {
            "title": {"type": "string", "title": "Title", "examples": ["x"], "contentMediaType": "text/plain"}}}})))
        .unwrap();
        assert_eq!(
            schema(&out, "A"),
            json!({"type": "object", "properties": {"title": {"type": "string"}}})
        );
    }

    #[test]
    fn closed_objects_are_opened_for_forward_compatibility() {
        let out = normalize(&doc(
            json!({"A": {"type": "object", "additionalProperties": false}}),
        ))
        .unwrap();
        assert_eq!(schema(&out, "A"), json!({"type": "object"}));
    }

    #[test]
    fn auth_headers_are_dropped_and_other_parameters_kept() {
        let input = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"get": {
            "operationId": "x", "parameters": [
                {"name": "authorization", "in": "header", "schema": {"type": "string"}},
                {"name": "X-Role-Id", "in": "header", "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "ok"}}}}}});
        let out = normalize(&input).unwrap();
        let params = out.spec["paths"]["/x"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(params.len(), 1);
        assert_eq!(params[0]["name"], "limit");
    }

    fn responses_of(input: &Value) -> Map<String, Value> {
        let out = normalize(input).unwrap();
        out.spec["paths"]["/x"]["post"]["responses"]
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn the_lowest_success_response_is_kept_under_the_2xx_range() {
        let input = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"post": {
            "operationId": "x",
            "responses": {
                "422": {"description": "bad"},
                "201": {"description": "created", "content": {"application/json": {"schema": {"type": "string"}}}},
                "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "integer"}}}}}}}}});
        let responses = responses_of(&input);
        assert_eq!(responses.keys().collect::<Vec<_>>(), vec!["2XX"]);
        assert_eq!(responses["2XX"]["description"], "ok");
        assert_eq!(
            responses["2XX"]["content"]["application/json"]["schema"],
            json!({"type": "integer"})
        );
    }

    #[test]
    fn a_success_without_a_body_stays_without_one_under_the_range() {
        let input = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"post": {
            "operationId": "x",
            "responses": {"204": {"description": "gone"}, "404": {"description": "missing"}}}}}});
        let responses = responses_of(&input);
        assert_eq!(
            Value::Object(responses),
            json!({"2XX": {"description": "gone"}})
        );
    }

    #[test]
    fn an_operation_without_a_documented_success_keeps_only_its_default() {
        let input = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"post": {
            "operationId": "x",
            "responses": {"default": {"description": "any"}, "500": {"description": "boom"}}}}}});
        let responses = responses_of(&input);
        assert_eq!(responses.keys().collect::<Vec<_>>(), vec!["default"]);
    }

    #[test]
    fn inline_enums_are_hoisted_and_shared_by_value() {
        let out = normalize(&doc(json!({
            "A": {"type": "object", "properties": {"scope": {"type": "string", "enum": ["x", "y"], "default": "x"}}},
            "B": {"type": "object", "properties": {"scope": {"anyOf": [{"type": "string", "enum": ["x", "y"]}, {"type": "null"}]}}},
            "Named": {"type": "string", "enum": ["p", "q"]}})))
        .unwrap();
        assert_eq!(
            schema(&out, "A")["properties"]["scope"],
            json!({"$ref": "#/components/schemas/Scope"})
        );
        assert_eq!(
            schema(&out, "B")["properties"]["scope"],
            json!({"allOf": [{"$ref": "#/components/schemas/Scope"}], "nullable": true})
        );
        assert_eq!(
            schema(&out, "Scope"),
            json!({"type": "string", "enum": ["x", "y"]})
        );
        let names: Vec<_> = out.enums.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, vec!["Named", "Scope"]);
    }

    #[test]
    fn same_field_name_with_other_values_is_qualified_by_owner() {
        let out = normalize(&doc(json!({
            "A": {"type": "object", "properties": {"mode": {"type": "string", "enum": ["a"]}}},
            "B": {"type": "object", "properties": {"mode": {"type": "string", "enum": ["b"]}}}})))
        .unwrap();
        let names: Vec<_> = out.enums.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, vec!["BMode", "Mode"]);
    }

    #[test]
    fn output_is_deterministic() {
        let spec: Value = serde_json::from_str(include_str!("../../openapi.json")).unwrap();
        let a = serde_json::to_string(&normalize(&spec).unwrap().spec).unwrap();
        let b = serde_json::to_string(&normalize(&spec).unwrap().spec).unwrap();
        assert_eq!(a, b);
    }
}
