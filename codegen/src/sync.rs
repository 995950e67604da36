//! Keeps our `openapi.json` in step with the platform's published document: the structure
//! (paths, parameters, schemas, fields) follows the platform, the words stay ours.
//!
//! Prose is `description`, `summary`, `example` and `examples` outside property maps. The
//! platform's prose is never copied: where we have no words for an operation's summary, a
//! response or a schema, a short placeholder made from its name stands in, and the report
//! lists it (and every operation without a description) until someone writes ours.

use crate::order::{Hint, Ordered};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// Keys that hold prose rather than structure (outside `properties` maps).
pub const PROSE: &[&str] = &["description", "summary", "examples", "example"];

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn is_prose(key: &str, value: &Value) -> bool {
    PROSE.contains(&key) && !value.is_object()
}

/// `value` without prose; what must agree with the platform.
pub fn strip_prose(value: &Value) -> Value {
    strip(value, false)
}

/// `in_props` marks maps whose keys are field names, where `description` is a field.
fn strip(value: &Value, in_props: bool) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, v)| in_props || !is_prose(k, v))
                .map(|(k, v)| (k.clone(), strip(v, !in_props && k == "properties")))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| strip(v, false)).collect()),
        other => other.clone(),
    }
}

/// The part of a document that must match the platform, prose stripped: `openapi`,
/// `info.version`, `paths` and `components`.
pub fn structure(doc: &Value) -> Value {
    serde_json::json!({
        "openapi": doc.get("openapi").cloned().unwrap_or(Value::Null),
        "info": {"version": doc.pointer("/info/version").cloned().unwrap_or(Value::Null)},
        "paths": strip_prose(doc.get("paths").unwrap_or(&Value::Null)),
        "components": strip_prose(doc.get("components").unwrap_or(&Value::Null)),
    })
}

/// What a sync found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Structural changes from our document to the platform's, one line each: `+` added,
    /// `-` removed, `~` changed (with indented details).
    pub changes: Vec<String>,
    /// Operations, responses, schemas and parameters that have no words of ours yet.
    pub needs_words: Vec<String>,
}

impl Report {
    /// Whether the structure of our document differs from the platform's.
    pub fn has_drift(&self) -> bool {
        !self.changes.is_empty()
    }

    /// The report as text for a terminal or a pull request body.
    pub fn render(&self) -> String {
        let mut s = String::new();
        if self.changes.is_empty() {
            s.push_str("structure: no drift from the platform\n");
        } else {
            let _ = writeln!(s, "structure: {} change(s)", count_items(&self.changes));
            for line in &self.changes {
                let _ = writeln!(s, "  {line}");
            }
        }
        if self.needs_words.is_empty() {
            s.push_str("words: every item has ours\n");
        } else {
            let _ = writeln!(s, "still needs our words: {}", self.needs_words.len());
            for line in &self.needs_words {
                let _ = writeln!(s, "  {line}");
            }
        }
        s
    }
}

fn count_items(changes: &[String]) -> usize {
    changes.iter().filter(|l| !l.starts_with(' ')).count()
}

/// The outcome of [`sync`]: the new text of our document and what changed.
#[derive(Debug, Clone)]
pub struct Synced {
    /// The updated `openapi.json`, formatted like the original (two-space indent, our key
    /// order first, then the platform's), ending with a newline.
    pub text: String,
    /// What changed and what still needs words.
    pub report: Report,
}

/// Brings our document (`ours`, the text of `openapi.json`) in line with the platform's
/// (`platform`): its structure, our prose, placeholders where we have none.
pub fn sync(ours: &str, platform: &str) -> Result<Synced, String> {
    let ours_hint: Hint =
        serde_json::from_str(ours).map_err(|e| format!("our document is not JSON: {e}"))?;
    let theirs_hint: Hint = serde_json::from_str(platform)
        .map_err(|e| format!("the platform document is not JSON: {e}"))?;
    let ours_value: Value = serde_json::from_str(ours).map_err(|e| e.to_string())?;
    let theirs: Value = serde_json::from_str(platform).map_err(|e| e.to_string())?;
    if !ours_value.is_object() || !theirs.is_object() {
        return Err("both documents must be JSON objects".into());
    }

    let mut out = ours_value.clone();
    for key in ["openapi", "paths", "components"] {
        match theirs.get(key) {
            Some(t) => out[key] = merge(t, ours_value.get(key), false),
            None => {
                if let Some(map) = out.as_object_mut() {
                    map.remove(key);
                }
            }
        }
    }
    if let Some(version) = theirs.pointer("/info/version") {
        if !out["info"].is_object() {
            out["info"] = Value::Object(Map::new());
        }
        out["info"]["version"] = version.clone();
    }
    fill_placeholders(&mut out);

    let report = Report {
        changes: changes(&structure(&ours_value), &structure(&theirs)),
        needs_words: needs_words(&out, &theirs),
    };
    let ordered = Ordered::new(&out, [(&ours_value, &ours_hint), (&theirs, &theirs_hint)]);
    let mut text = serde_json::to_string_pretty(&ordered).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(Synced { text, report })
}

/// The platform's structure with our prose at the same places.
fn merge(theirs: &Value, ours: Option<&Value>, in_props: bool) -> Value {
    match theirs {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                if !in_props && is_prose(k, v) {
                    continue;
                }
                let child = merge(
                    v,
                    ours.and_then(|o| o.get(k)),
                    !in_props && k == "properties",
                );
                out.insert(k.clone(), child);
            }
            if let (false, Some(Value::Object(ours))) = (in_props, ours) {
                for (k, v) in ours.iter().filter(|(k, v)| is_prose(k, v)) {
                    out.insert(k.clone(), v.clone());
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            let ours = ours.and_then(Value::as_array);
            Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| merge(v, ours.and_then(|o| counterpart(v, i, o)), false))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

/// The element of `candidates` that stands for `item`: a parameter by its `in` and `name`,
/// anything else by position.
pub(crate) fn counterpart<'a>(
    item: &Value,
    index: usize,
    candidates: &'a [Value],
) -> Option<&'a Value> {
    counterpart_index(item, index, candidates).map(|i| &candidates[i])
}

/// The position of [`counterpart`] in `candidates`.
pub(crate) fn counterpart_index(item: &Value, index: usize, candidates: &[Value]) -> Option<usize> {
    match parameter_key(item) {
        Some(key) => candidates
            .iter()
            .position(|c| parameter_key(c).as_ref() == Some(&key)),
        None => (index < candidates.len()).then_some(index),
    }
}

fn parameter_key(v: &Value) -> Option<(String, String)> {
    let location = v.get("in")?.as_str()?;
    let name = v.get("name")?.as_str()?;
    Some((location.to_owned(), name.to_owned()))
}

/// The last word group of an operationId, as a sentence start:
/// `customer-secrets-set_secret` → `Set secret`.
fn operation_summary(operation_id: &str) -> String {
    let tail = operation_id.rsplit('-').next().unwrap_or(operation_id);
    let words = tail.replace('_', " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => operation_id.to_owned(),
    }
}

/// The usual words for a status; we use them as ours.
fn reason_phrase(code: &str) -> Option<&'static str> {
    Some(match code {
        "200" => "OK",
        "201" => "Created",
        "202" => "Accepted",
        "204" => "No content",
        "400" => "Bad request",
        "401" => "Not authenticated",
        "403" => "Not allowed",
        "404" => "Not found",
        "409" => "Conflict",
        "422" => "Invalid input",
        "429" => "Too many requests",
        "default" => "Any other answer",
        _ => return None,
    })
}

/// A response's words when we have none: the usual reason phrase, or a placeholder for a
/// status without one.
fn response_description(code: &str) -> String {
    reason_phrase(code)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("Status {code}"))
}

fn schema_description(name: &str, schema: &Value) -> String {
    if schema.get("enum").is_some() {
        format!("The `{name}` values.")
    } else if schema.get("properties").is_some() {
        format!("A `{name}` object.")
    } else {
        format!("The `{name}` type.")
    }
}

/// Every operation as (path, method, operation).
fn operations(doc: &Value) -> Vec<(&str, &str, &Value)> {
    let mut out = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(op) = item.get(*method) {
                    out.push((path.as_str(), *method, op));
                }
            }
        }
    }
    out
}

fn operation_label(path: &str, method: &str, op: &Value) -> String {
    let id = op
        .get("operationId")
        .and_then(Value::as_str)
        .unwrap_or("(no operationId)");
    format!("{id}: {} {path}", method.to_uppercase())
}

fn set_if_missing(map: &mut Value, key: &str, text: impl FnOnce() -> String) {
    if let Some(map) = map.as_object_mut() {
        if !map.get(key).is_some_and(Value::is_string) {
            map.insert(key.into(), Value::String(text()));
        }
    }
}

/// Gives every operation a summary, every response a description and every component schema
/// a description, where we have none.
fn fill_placeholders(doc: &mut Value) {
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for method in METHODS {
                let Some(op) = item.get_mut(*method) else {
                    continue;
                };
                let id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or(method)
                    .to_owned();
                // A summary only: a description made from the same name would say nothing
                // more, and the report asks for one.
                set_if_missing(op, "summary", || operation_summary(&id));
                if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
                    for (code, response) in responses.iter_mut() {
                        set_if_missing(response, "description", || response_description(code));
                    }
                }
            }
        }
    }
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            let text = schema_description(name, schema);
            set_if_missing(schema, "description", || text);
        }
    }
}

/// Operations without a description, responses and schemas whose words are still the
/// placeholders, and parameters the platform explains that we do not.
fn needs_words(doc: &Value, platform: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let platform_ops: BTreeMap<(&str, &str), &Value> = operations(platform)
        .into_iter()
        .map(|(p, m, op)| ((p, m), op))
        .collect();
    for (path, method, op) in operations(doc) {
        // A summary made from the operationId reads like ours ("List aliases"), so only a
        // missing description marks an operation as unwritten.
        let mut missing = Vec::new();
        if !op.get("description").is_some_and(Value::is_string) {
            missing.push("description".to_owned());
        }
        if let Some(responses) = op.get("responses").and_then(Value::as_object) {
            for (code, response) in responses {
                let words = response.get("description").and_then(Value::as_str);
                if reason_phrase(code).is_none()
                    && words == Some(response_description(code).as_str())
                {
                    missing.push(format!("response {code}"));
                }
            }
        }
        let params = op.get("parameters").and_then(Value::as_array);
        let theirs = platform_ops
            .get(&(path, method))
            .and_then(|o| o.get("parameters"))
            .and_then(Value::as_array);
        for (i, param) in params.into_iter().flatten().enumerate() {
            let explained = theirs
                .and_then(|t| counterpart(param, i, t))
                .is_some_and(|t| t.get("description").is_some_and(Value::is_string));
            if explained && param.get("description").is_none() {
                let name = param.get("name").and_then(Value::as_str).unwrap_or("?");
                missing.push(format!("parameter {name}"));
            }
        }
        if !missing.is_empty() {
            out.push(format!(
                "operation {}: {}",
                operation_label(path, method, op),
                missing.join(", ")
            ));
        }
    }
    if let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            let mut missing = Vec::new();
            let placeholder = schema_description(name, schema);
            if schema.get("description").and_then(Value::as_str) == Some(placeholder.as_str()) {
                missing.push("description".to_owned());
            }
            // Property words become the generated fields' docs, and the platform's are never
            // copied, so every new field arrives bare and stays listed until we write ours.
            let props = schema.get("properties").and_then(Value::as_object);
            for (field, prop) in props.into_iter().flatten() {
                if !prop.get("description").is_some_and(Value::is_string) {
                    missing.push(format!("field {field}"));
                }
            }
            if !missing.is_empty() {
                out.push(format!("schema {name}: {}", missing.join(", ")));
            }
        }
    }
    out
}

/// Structural changes from `ours` to `theirs` (both from [`structure`]).
pub fn changes(ours: &Value, theirs: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for pointer in ["/openapi", "/info/version"] {
        let (a, b) = (ours.pointer(pointer), theirs.pointer(pointer));
        if a != b {
            out.push(format!("~ {pointer}: {} → {}", show(a), show(b)));
        }
    }

    let ops = |doc: &'_ Value| -> BTreeMap<(String, String), Value> {
        operations(doc)
            .into_iter()
            .map(|(p, m, op)| ((p.to_owned(), m.to_owned()), op.clone()))
            .collect()
    };
    let (ops_a, ops_b) = (ops(ours), ops(theirs));
    let keys: BTreeSet<&(String, String)> = ops_a.keys().chain(ops_b.keys()).collect();
    for key @ (path, method) in keys {
        match (ops_a.get(key), ops_b.get(key)) {
            (None, Some(op)) => {
                out.push(format!("+ operation {}", operation_label(path, method, op)))
            }
            (Some(op), None) => {
                out.push(format!("- operation {}", operation_label(path, method, op)))
            }
            (Some(a), Some(b)) if a != b => {
                out.push(format!("~ operation {}", operation_label(path, method, b)));
                let mut details = Vec::new();
                diff("", a, b, &mut details);
                out.extend(details.into_iter().map(|d| format!("    {d}")));
            }
            _ => {}
        }
    }

    // Path-level keys (shared parameters, servers) outside the operations.
    let empty = Map::new();
    let path_items = |doc: &'_ Value| -> BTreeMap<String, Value> {
        doc.get("paths")
            .and_then(Value::as_object)
            .unwrap_or(&empty)
            .iter()
            .map(|(p, item)| {
                let rest: Map<String, Value> = item
                    .as_object()
                    .unwrap_or(&empty)
                    .iter()
                    .filter(|(k, _)| !METHODS.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                (p.clone(), Value::Object(rest))
            })
            .collect()
    };
    let (items_a, items_b) = (path_items(ours), path_items(theirs));
    for (path, a) in &items_a {
        let empty_item = Value::Object(Map::new());
        let b = items_b.get(path).unwrap_or(&empty_item);
        diff(&format!("path {path}"), a, b, &mut out);
    }
    for (path, b) in items_b.iter().filter(|(p, _)| !items_a.contains_key(*p)) {
        diff(
            &format!("path {path}"),
            &Value::Object(Map::new()),
            b,
            &mut out,
        );
    }

    let schemas = |doc: &'_ Value| -> Map<String, Value> {
        doc.pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (schemas_a, schemas_b) = (schemas(ours), schemas(theirs));
    let names: BTreeSet<&String> = schemas_a.keys().chain(schemas_b.keys()).collect();
    for name in names {
        match (schemas_a.get(name), schemas_b.get(name)) {
            (None, Some(_)) => out.push(format!("+ schema {name}")),
            (Some(_), None) => out.push(format!("- schema {name}")),
            (Some(a), Some(b)) if a != b => schema_changes(name, a, b, &mut out),
            _ => {}
        }
    }

    let mut other_a = ours.get("components").cloned().unwrap_or(Value::Null);
    let mut other_b = theirs.get("components").cloned().unwrap_or(Value::Null);
    for other in [&mut other_a, &mut other_b] {
        if let Some(map) = other.as_object_mut() {
            map.remove("schemas");
        }
    }
    diff("components", &other_a, &other_b, &mut out);
    out
}

fn schema_changes(name: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    out.push(format!("~ schema {name}"));
    let props = |v: &Value| {
        v.get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (pa, pb) = (props(a), props(b));
    for (field, _) in pb.iter().filter(|(f, _)| !pa.contains_key(*f)) {
        out.push(format!("    + field {name}.{field}"));
    }
    for (field, _) in pa.iter().filter(|(f, _)| !pb.contains_key(*f)) {
        out.push(format!("    - field {name}.{field}"));
    }
    for (field, fa) in &pa {
        if let Some(fb) = pb.get(field).filter(|fb| *fb != fa) {
            out.push(format!("    ~ field {name}.{field}"));
            let mut details = Vec::new();
            diff("", fa, fb, &mut details);
            out.extend(details.into_iter().map(|d| format!("        {d}")));
        }
    }
    let without_props = |v: &Value| {
        let mut v = v.clone();
        if let Some(map) = v.as_object_mut() {
            map.remove("properties");
        }
        v
    };
    let mut details = Vec::new();
    diff("", &without_props(a), &without_props(b), &mut details);
    out.extend(details.into_iter().map(|d| format!("    {d}")));
}

fn show(v: Option<&Value>) -> String {
    let text = v.map(Value::to_string).unwrap_or_else(|| "(absent)".into());
    if text.chars().count() > 100 {
        let cut: String = text.chars().take(97).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// Differences between two values, one line per place: `path: ours → platform`. Parameter
/// lists are compared by `in` and `name`, so one added parameter is one line.
pub fn diff(path: &str, ours: &Value, theirs: &Value, out: &mut Vec<String>) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                match b.get(k) {
                    Some(vb) => diff(&format!("{path}/{k}"), va, vb, out),
                    None => out.push(format!("- {path}/{k}")),
                }
            }
            for k in b.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!("+ {path}/{k}: {}", show(b.get(k))));
            }
        }
        (Value::Array(a), Value::Array(b)) if is_parameter_list(a) && is_parameter_list(b) => {
            for (i, pa) in a.iter().enumerate() {
                let label = parameter_label(pa);
                match counterpart(pa, i, b) {
                    Some(pb) => diff(&format!("{path}/{label}"), pa, pb, out),
                    None => out.push(format!("- {path}/{label}")),
                }
            }
            for (i, pb) in b.iter().enumerate() {
                if counterpart(pb, i, a).is_none() {
                    out.push(format!(
                        "+ {path}/{}: {}",
                        parameter_label(pb),
                        show(Some(pb))
                    ));
                }
            }
            let order = |list: &[Value]| list.iter().map(parameter_label).collect::<Vec<_>>();
            if out.is_empty() && a != b && order(a) != order(b) {
                out.push(format!(
                    "~ {path}: parameter order {:?} → {:?}",
                    order(a),
                    order(b)
                ));
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                diff(&format!("{path}/{i}"), va, vb, out);
            }
        }
        _ if ours == theirs => {}
        _ => out.push(format!(
            "~ {path}: {} → {}",
            show(Some(ours)),
            show(Some(theirs))
        )),
    }
}

fn is_parameter_list(items: &[Value]) -> bool {
    !items.is_empty() && items.iter().all(|v| parameter_key(v).is_some())
}

fn parameter_label(v: &Value) -> String {
    parameter_key(v)
        .map(|(location, name)| format!("{location} {name}"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(v: &Value) -> String {
        serde_json::to_string_pretty(v).unwrap() + "\n"
    }

    fn platform() -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "Platform", "version": "2.0.0", "description": "Their intro."},
            "paths": {"/things/{id}": {"get": {
                "summary": "Their summary", "description": "Their long explanation.",
                "operationId": "things-get_thing",
                "parameters": [
                    {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "Their id words."},
                    {"name": "verbose", "in": "query", "schema": {"type": "boolean"}, "description": "Their flag words."}],
                "responses": {"200": {"description": "Their OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}}},
            "components": {"schemas": {"Thing": {
                "type": "object", "description": "Their thing words.",
                "properties": {"id": {"type": "string"}, "description": {"type": "string", "description": "Their field words."}},
                "required": ["id"]}}}
        })
    }

    fn ours() -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "Ours", "version": "1.0.0", "description": "Our intro."},
            "paths": {"/things/{id}": {"get": {
                "summary": "Get a thing", "description": "Reads one thing.",
                "operationId": "things-get_thing",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "Our id words."}],
                "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}, "description": "OK"}}}}},
            "components": {"schemas": {"Thing": {
                "type": "object", "description": "A thing.",
                "properties": {"id": {"type": "string", "description": "Our id field words."}},
                "required": ["id"]}}}
        })
    }

    #[test]
    fn the_structure_follows_the_platform_and_the_words_stay_ours() {
        let synced = sync(&text(&ours()), &text(&platform())).unwrap();
        let out: Value = serde_json::from_str(&synced.text).unwrap();
        assert_eq!(structure(&out), structure(&platform()));
        let op = &out["paths"]["/things/{id}"]["get"];
        assert_eq!(op["summary"], "Get a thing");
        assert_eq!(op["parameters"][0]["description"], "Our id words.");
        assert!(op["parameters"][1].get("description").is_none());
        assert_eq!(
            out["info"],
            json!({"title": "Ours", "version": "2.0.0", "description": "Our intro."})
        );
        // A field named `description` is structure, and arrives without the platform's words.
        assert_eq!(
            out["components"]["schemas"]["Thing"]["properties"]["description"],
            json!({"type": "string"})
        );
        assert!(!synced.text.contains("Their"), "{}", synced.text);
        assert_eq!(
            synced.report.changes,
            vec![
                "~ /info/version: \"1.0.0\" → \"2.0.0\"",
                "~ operation things-get_thing: GET /things/{id}",
                "    + /parameters/query verbose: {\"in\":\"query\",\"name\":\"verbose\",\"schema\":{\"type\":\"boolean\"}}",
                "~ schema Thing",
                "    + field Thing.description",
            ]
        );
        assert_eq!(
            synced.report.needs_words,
            vec![
                "operation things-get_thing: GET /things/{id}: parameter verbose",
                "schema Thing: field description",
            ]
        );
    }

    #[test]
    fn property_words_stay_ours_and_new_fields_are_listed_until_written() {
        let synced = sync(&text(&ours()), &text(&platform())).unwrap();
        let out: Value = serde_json::from_str(&synced.text).unwrap();
        let props = &out["components"]["schemas"]["Thing"]["properties"];
        assert_eq!(
            props["id"],
            json!({"type": "string", "description": "Our id field words."})
        );
        assert!(props["description"].get("description").is_none());
        assert!(!synced.text.contains("Their field words."));
        assert!(synced
            .report
            .needs_words
            .contains(&"schema Thing: field description".to_owned()));

        // Once the new field has our words, a second sync keeps them and stops listing it.
        let mut edited = out.clone();
        edited["components"]["schemas"]["Thing"]["properties"]["description"]["description"] =
            json!("Our words for the text field.");
        let again = sync(&text(&edited), &text(&platform())).unwrap();
        let kept: Value = serde_json::from_str(&again.text).unwrap();
        assert_eq!(
            kept["components"]["schemas"]["Thing"]["properties"]["description"]["description"],
            "Our words for the text field."
        );
        assert!(!again
            .report
            .needs_words
            .iter()
            .any(|l| l.starts_with("schema Thing")));
    }

    #[test]
    fn new_items_get_placeholders_that_are_reported_until_replaced() {
        let mut theirs = platform();
        theirs["paths"]["/things"] = json!({"post": {
            "summary": "Their create", "operationId": "things-create_thing",
            "responses": {"201": {"description": "Their created"}, "418": {"description": "Their teapot"}}}});
        theirs["components"]["schemas"]["Kind"] =
            json!({"type": "string", "enum": ["a"], "description": "Their kinds."});
        let synced = sync(&text(&ours()), &text(&theirs)).unwrap();
        let out: Value = serde_json::from_str(&synced.text).unwrap();
        let op = &out["paths"]["/things"]["post"];
        assert_eq!(op["summary"], "Create thing");
        assert!(op.get("description").is_none());
        assert_eq!(op["responses"]["201"]["description"], "Created");
        assert_eq!(op["responses"]["418"]["description"], "Status 418");
        assert_eq!(
            out["components"]["schemas"]["Kind"]["description"],
            "The `Kind` values."
        );
        assert!(synced
            .report
            .changes
            .contains(&"+ operation things-create_thing: POST /things".to_owned()));
        assert!(synced.report.changes.contains(&"+ schema Kind".to_owned()));
        assert!(synced.report.needs_words.contains(
            &"operation things-create_thing: POST /things: description, response 418".to_owned()
        ));
        assert!(synced
            .report
            .needs_words
            .contains(&"schema Kind: description".to_owned()));

        // Once someone writes words, the item leaves the list; the structure is already in.
        let mut edited = out.clone();
        edited["paths"]["/things"]["post"]["summary"] = json!("Create a thing");
        edited["paths"]["/things"]["post"]["description"] = json!("Makes a thing.");
        edited["paths"]["/things"]["post"]["responses"]["418"]["description"] = json!("Refused");
        edited["components"]["schemas"]["Kind"]["description"] = json!("Kinds of things.");
        edited["components"]["schemas"]["Thing"]["properties"]["description"]["description"] =
            json!("Our text field words.");
        let again = sync(&text(&edited), &text(&theirs)).unwrap();
        assert!(!again.report.has_drift(), "{:?}", again.report.changes);
        assert_eq!(
            again.report.needs_words.len(),
            1,
            "{:?}",
            again.report.needs_words
        );
    }

    #[test]
    fn removed_items_leave_with_their_words() {
        let mut theirs = platform();
        theirs["paths"] = json!({});
        theirs["components"]["schemas"]["Thing"]["properties"]
            .as_object_mut()
            .unwrap()
            .remove("id");
        let synced = sync(&text(&ours()), &text(&theirs)).unwrap();
        let out: Value = serde_json::from_str(&synced.text).unwrap();
        assert_eq!(out["paths"], json!({}));
        assert!(synced
            .report
            .changes
            .contains(&"- operation things-get_thing: GET /things/{id}".to_owned()));
        assert!(synced
            .report
            .changes
            .contains(&"    - field Thing.id".to_owned()));
        assert!(!synced.text.contains("Reads one thing."));
    }

    #[test]
    fn a_document_in_step_comes_back_byte_for_byte() {
        let ours = include_str!("../../openapi.json");
        let platform =
            serde_json::to_string(&strip_prose(&serde_json::from_str(ours).unwrap())).unwrap();
        let synced = sync(ours, &platform).unwrap();
        assert!(!synced.report.has_drift(), "{:?}", synced.report.changes);
        assert!(
            synced.text == ours,
            "sync rewrote an unchanged openapi.json"
        );
    }

    #[test]
    fn summaries_come_from_the_operation_id() {
        assert_eq!(
            operation_summary("customer-secrets-set_secret"),
            "Set secret"
        );
        assert_eq!(operation_summary("customer-enroll"), "Enroll");
        assert_eq!(operation_summary("plain"), "Plain");
    }
}
