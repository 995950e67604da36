//! Bad input to every operation must answer 4xx promptly, never 5xx or a hang.

mod common;

use common::start;
use serde_json::{json, Value};

const ANONYMOUS: [(&str, &str); 7] = [
    ("get", "/services/{service_id}/documents/{document_id}"),
    ("get", "/groups"),
    ("get", "/groups/{name}"),
    ("get", "/groups/{name}/services"),
    ("get", "/services/{service_id}"),
    ("get", "/services/{service_id}/documents"),
    ("get", "/services/{service_id}/usage"),
];

fn fill(template: &str, params: &[Value], bad_uuid: bool) -> String {
    let mut path = template.to_string();
    for p in params.iter().filter(|p| p["in"] == "path") {
        let name = p["name"].as_str().unwrap_or_default();
        let is_uuid = p.pointer("/schema/format").and_then(Value::as_str) == Some("uuid");
        let value = if is_uuid && bad_uuid {
            "not-a-uuid".to_string()
        } else if is_uuid {
            "7c1f3c5e-0000-4000-8000-000000000000".to_string()
        } else {
            "NO_SUCH_THING".to_string()
        };
        path = path.replace(&format!("{{{name}}}"), &value);
    }
    path
}

fn int_query_params(params: &[Value]) -> Vec<(String, Option<i64>, Option<i64>)> {
    params
        .iter()
        .filter(|p| p["in"] == "query")
        .filter_map(|p| {
            let s = &p["schema"];
            let int = s["type"] == "integer"
                || s["anyOf"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x["type"] == "integer"));
            let lim = |k: &str| {
                s[k].as_i64().or_else(|| {
                    s["anyOf"]
                        .as_array()
                        .and_then(|a| a.iter().find_map(|x| x[k].as_i64()))
                })
            };
            int.then(|| {
                (
                    p["name"].as_str().unwrap_or_default().to_string(),
                    lim("minimum"),
                    lim("maximum"),
                )
            })
        })
        .collect()
}

#[tokio::test]
async fn bad_input_never_yields_5xx() {
    let Some(spec) = common::load_spec() else {
        return;
    };
    let env = start().await;
    let validation_schema = {
        let mut doc = json!({"$ref": "#/components/schemas/HTTPValidationError"});
        doc["components"] = spec["components"].clone();
        jsonschema::validator_for(&doc).expect("schema")
    };
    let mut probes = 0;
    let mut failures = Vec::new();
    let paths = spec["paths"].as_object().cloned().unwrap_or_default();
    for (template, ops) in &paths {
        for (method, op) in ops.as_object().cloned().unwrap_or_default() {
            let params: Vec<Value> = op["parameters"].as_array().cloned().unwrap_or_default();
            let has_body = op.get("requestBody").is_some();
            let good_path = fill(template, &params, false);
            let body = has_body.then(|| "{}".to_string());
            let m = method.to_uppercase();
            let mut variants: Vec<(String, Option<String>, bool, Option<u16>)> = Vec::new();
            if !ANONYMOUS.contains(&(method.as_str(), template.as_str())) {
                variants.push((good_path.clone(), body.clone(), false, Some(401)));
            }
            if params
                .iter()
                .any(|p| p["in"] == "path" && p.pointer("/schema/format") == Some(&json!("uuid")))
            {
                variants.push((fill(template, &params, true), body.clone(), true, Some(422)));
            }
            if has_body {
                variants.push((good_path.clone(), Some("{bad json".into()), true, Some(422)));
                variants.push((
                    good_path.clone(),
                    Some("\"a string\"".into()),
                    true,
                    Some(422),
                ));
                variants.push((good_path.clone(), Some("".into()), true, Some(422)));
            }
            for (name, min, max) in int_query_params(&params) {
                variants.push((
                    format!("{good_path}?{name}=abc"),
                    body.clone(),
                    true,
                    Some(422),
                ));
                if let Some(min) = min {
                    variants.push((
                        format!("{good_path}?{name}={}", min - 1),
                        body.clone(),
                        true,
                        Some(422),
                    ));
                }
                if let Some(max) = max {
                    variants.push((
                        format!("{good_path}?{name}={}", max + 1),
                        body.clone(),
                        true,
                        Some(422),
                    ));
                }
            }
            // Unknown ids or names: anything 4xx is fine (404 for lookups, 422 if the body is checked first).
            if template.contains('{') {
                variants.push((good_path.clone(), body.clone(), true, None));
            }
            for (path, body, auth, expect) in variants {
                probes += 1;
                let key = auth.then_some(env.key.as_str());
                let url = format!("{}{}", env.base, path);
                let r = env.send(&m, &url, key, body.clone()).await;
                let ok = match expect {
                    Some(code) => r.status == code,
                    None => (400..500).contains(&r.status),
                };
                if !ok {
                    failures.push(format!(
                        "{m} {path} body={body:?} auth={auth}: got {} {}",
                        r.status, r.text
                    ));
                }
                if r.status == 422 && !validation_schema.is_valid(&r.body) {
                    failures.push(format!(
                        "{m} {path}: 422 body is not HTTPValidationError: {}",
                        r.text
                    ));
                }
            }
        }
    }
    println!("bad-input probes: {probes}");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn specific_validation_shapes() {
    let env = start().await;
    let r = env
        .demo("PUT", "/secrets/lower_case", Some(json!({"value": "v"})))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["detail"][0]["loc"], json!(["path", "name"]));
    assert_eq!(r.body["detail"][0]["type"], "string_pattern_mismatch");
    let r = env.demo("PUT", "/secrets/GOOD", Some(json!({}))).await;
    assert_eq!(r.body["detail"][0]["loc"], json!(["body", "value"]));
    assert_eq!(r.body["detail"][0]["type"], "missing");
    let r = env
        .demo("GET", "/groups/llm/services?limit=201", None)
        .await;
    assert_eq!(r.body["detail"][0]["type"], "less_than_equal");
    let r = env
        .send(
            "POST",
            &format!("{}/enrollments/", env.base),
            Some(&env.key),
            Some("{".into()),
        )
        .await;
    assert_eq!(r.body["detail"][0]["type"], "json_invalid");
    let r = env.cp("GET", "/secrets/", None, None).await;
    assert_eq!(
        (r.status, r.body.clone()),
        (401, json!({"detail": "Not authenticated"}))
    );
    let r = env
        .cp("GET", "/secrets/", Some("svcpass_wrong"), None)
        .await;
    assert_eq!(r.status, 401);
    let r = env.cp("GET", "/groups", Some("svcpass_wrong"), None).await;
    assert_eq!(r.status, 401);
}
