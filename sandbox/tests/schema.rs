//! Calls every operation of the contract with valid input and validates each
//! response body against the response schema the OpenAPI document declares.

mod common;

use common::{sid, start, Env, Reply};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use unitysvc_sandbox::catalog::{BYOK_SERVICE, SIMPLE_SERVICE, TWO_INTERFACE_SERVICE};

struct Checker {
    spec: Value,
    covered: BTreeSet<(String, String)>,
    failures: Vec<String>,
}

impl Checker {
    fn check(&mut self, method: &str, template: &str, r: &Reply) {
        self.check_as(method, template, r, r.status);
    }

    /// Validates `r` against the schema declared for `declared` rather than for its own
    /// status, for statuses the platform documents only in prose.
    fn check_as(&mut self, method: &str, template: &str, r: &Reply, declared: u16) {
        let op = &self.spec["paths"][template][method.to_lowercase()];
        assert!(op.is_object(), "spec has no {method} {template}");
        let code = declared.to_string();
        let resp = &op["responses"][&code];
        if !resp.is_object() {
            self.failures.push(format!(
                "{method} {template}: undeclared status {code}: {}",
                r.text
            ));
            return;
        }
        self.covered
            .insert((method.to_string(), template.to_string()));
        let Some(schema) = resp.pointer("/content/application~1json/schema") else {
            return;
        };
        let mut doc = schema.clone();
        if let Value::Object(m) = &mut doc {
            m.insert("components".into(), self.spec["components"].clone());
            m.insert(
                "$schema".into(),
                json!("https://json-schema.org/draft/2020-12/schema"),
            );
        }
        let validator = match jsonschema::options()
            .should_validate_formats(true)
            .build(&doc)
        {
            Ok(v) => v,
            Err(e) => {
                self.failures
                    .push(format!("{method} {template}: schema did not compile: {e}"));
                return;
            }
        };
        let errors: Vec<String> = validator
            .iter_errors(&r.body)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        if !errors.is_empty() {
            self.failures.push(format!(
                "{method} {template} ({code}): {errors:?}\nbody: {}",
                r.text
            ));
        }
    }
}

async fn run(env: &Env, c: &mut Checker) {
    let s1 = sid(TWO_INTERFACE_SERVICE);
    let s2 = sid(SIMPLE_SERVICE);

    // Groups and collections.
    let r = env.demo("GET", "/groups", None).await;
    c.check("GET", "/groups", &r);
    let r = env
        .demo(
            "POST",
            "/groups",
            Some(json!({"name": "favourites", "description": "mine"})),
        )
        .await;
    c.check("POST", "/groups", &r);
    let g = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = env
        .demo(
            "PATCH",
            &format!("/groups/{g}"),
            Some(json!({"display_name": "Favourites"})),
        )
        .await;
    c.check("PATCH", "/groups/{group_id}", &r);
    let r = env.demo("GET", "/groups/llm", None).await;
    c.check("GET", "/groups/{name}", &r);
    let r = env.demo("GET", "/groups/llm/services?limit=5", None).await;
    c.check("GET", "/groups/{name}/services", &r);
    let r = env
        .demo(
            "POST",
            &format!("/groups/{g}/members"),
            Some(json!({"service_id": s2})),
        )
        .await;
    c.check("POST", "/groups/{group_id}/members", &r);
    let r = env.demo("GET", &format!("/groups/{g}/members"), None).await;
    c.check("GET", "/groups/{group_id}/members", &r);

    // Services.
    let r = env.demo("GET", &format!("/services/{s1}"), None).await;
    c.check("GET", "/services/{service_id}", &r);
    let r = env
        .demo("GET", &format!("/services/{s1}/interfaces"), None)
        .await;
    c.check("GET", "/services/{service_id}/interfaces", &r);
    let r = env
        .demo("GET", &format!("/services/{s1}/groups"), None)
        .await;
    c.check("GET", "/services/{service_id}/groups", &r);
    let r = env
        .demo(
            "PUT",
            &format!("/services/{s1}/groups"),
            Some(json!({"group_ids": [g]})),
        )
        .await;
    c.check("PUT", "/services/{service_id}/groups", &r);
    let r = env
        .demo(
            "GET",
            &format!("/services/{s1}/documents?include_content=true"),
            None,
        )
        .await;
    c.check("GET", "/services/{service_id}/documents", &r);
    let doc = r.body["documents"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let r = env
        .demo("GET", &format!("/services/{s1}/documents/{doc}"), None)
        .await;
    c.check("GET", "/services/{service_id}/documents/{document_id}", &r);
    let r = env
        .demo(
            "GET",
            &format!("/services/{}/usage", sid(BYOK_SERVICE)),
            None,
        )
        .await;
    c.check("GET", "/services/{service_id}/usage", &r);
    let r = env
        .demo("DELETE", &format!("/groups/{g}/members/{s2}"), None)
        .await;
    c.check("DELETE", "/groups/{group_id}/members/{service_id}", &r);
    let r = env.demo("DELETE", &format!("/groups/{g}"), None).await;
    c.check("DELETE", "/groups/{group_id}", &r);

    // Secrets.
    let r = env
        .demo(
            "PUT",
            "/secrets/OPENAI_API_KEY",
            Some(json!({"value": "sk-test", "sensitive": false})),
        )
        .await;
    // The platform answers 201 on insert ("Returns 201 Created on insert and 200 OK on
    // update") while its contract declares only the 200, with the same body.
    assert_eq!(r.status, 201, "{}", r.text);
    c.check_as("PUT", "/secrets/{name}", &r, 200);
    let r = env
        .demo(
            "PUT",
            "/secrets/OPENAI_API_KEY",
            Some(json!({"value": "sk-test-2"})),
        )
        .await;
    c.check("PUT", "/secrets/{name}", &r);
    let r = env.demo("GET", "/secrets/", None).await;
    c.check("GET", "/secrets/", &r);
    let r = env.demo("GET", "/secrets/OPENAI_API_KEY", None).await;
    c.check("GET", "/secrets/{name}", &r);
    let r = env.demo("DELETE", "/secrets/OPENAI_API_KEY", None).await;
    c.check("DELETE", "/secrets/{name}", &r);

    // Aliases.
    let body = json!({"name": "chat", "target_path": format!("p/{s1}"), "request_routing_key": {"model": "fast"}});
    let r = env.demo("POST", "/aliases/", Some(body)).await;
    c.check("POST", "/aliases/", &r);
    let a1 = r.body["id"].as_str().unwrap_or_default().to_string();
    let body = json!({"name": "chat", "target_path": format!("p/{s2}"), "request_routing_key": {"model": "fast"}, "is_routing": false});
    let r2 = env.demo("POST", "/aliases/", Some(body)).await;
    assert_eq!(r2.status, 201, "{}", r2.text);
    let r = env.demo("GET", "/aliases/", None).await;
    c.check("GET", "/aliases/", &r);
    let r = env.demo("GET", &format!("/aliases/{a1}"), None).await;
    c.check("GET", "/aliases/{alias_id}", &r);
    let r = env
        .demo(
            "PATCH",
            &format!("/aliases/{a1}"),
            Some(json!({"description": "primary"})),
        )
        .await;
    c.check("PATCH", "/aliases/{alias_id}", &r);
    let r = env
        .demo("POST", &format!("/aliases/chat/switch?target={s2}"), None)
        .await;
    c.check("POST", "/aliases/{identifier}/switch", &r);
    let r = env.demo("DELETE", &format!("/aliases/{a1}"), None).await;
    c.check("DELETE", "/aliases/{alias_id}", &r);

    // Enrollments.
    let r = env
        .demo(
            "POST",
            "/enrollments/",
            Some(json!({"service_id": sid(BYOK_SERVICE)})),
        )
        .await;
    c.check("POST", "/enrollments/", &r);
    let e = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = env.demo("GET", "/enrollments/", None).await;
    c.check("GET", "/enrollments/", &r);
    let r = env.demo("GET", &format!("/enrollments/{e}"), None).await;
    c.check("GET", "/enrollments/{enrollment_id}", &r);
    let r = env.demo("DELETE", &format!("/enrollments/{e}"), None).await;
    c.check("DELETE", "/enrollments/{enrollment_id}", &r);

    // Recurrent requests.
    let body = json!({"request_path": format!("p/{s1}/v1/chat/completions"), "body_template": {"messages": []}, "name": "ping"});
    let r = env.demo("POST", "/recurrent-requests/", Some(body)).await;
    c.check("POST", "/recurrent-requests/", &r);
    let rr = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = env.demo("GET", "/recurrent-requests/", None).await;
    c.check("GET", "/recurrent-requests/", &r);
    let r = env
        .demo("GET", &format!("/recurrent-requests/{rr}"), None)
        .await;
    c.check("GET", "/recurrent-requests/{request_id}", &r);
    let sched = json!({"schedule": {"schedule_type": "interval", "interval_seconds": 60}});
    let r = env
        .demo("PATCH", &format!("/recurrent-requests/{rr}"), Some(sched))
        .await;
    c.check("PATCH", "/recurrent-requests/{request_id}", &r);
    let r = env
        .demo("POST", &format!("/recurrent-requests/{rr}/trigger"), None)
        .await;
    c.check("POST", "/recurrent-requests/{request_id}/trigger", &r);
    let r = env
        .demo("DELETE", &format!("/recurrent-requests/{rr}"), None)
        .await;
    c.check("DELETE", "/recurrent-requests/{request_id}", &r);

    // Request logs.
    let r = env
        .demo(
            "POST",
            "/request-logs/start?truncate_long_message=true",
            None,
        )
        .await;
    c.check("POST", "/request-logs/start", &r);
    let url = format!("{}/p/{s1}/v1/chat/completions", env.gw);
    let g = env
        .send(
            "POST",
            &url,
            Some(&env.key),
            Some(json!({"messages": [{"role": "user", "content": "hi"}]}).to_string()),
        )
        .await;
    assert_eq!(g.status, 200);
    let r = env.demo("GET", "/request-logs", None).await;
    c.check("GET", "/request-logs", &r);
    let log = r.body["items"][0]["log_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let r = env.demo("GET", &format!("/request-logs/{log}"), None).await;
    c.check("GET", "/request-logs/{log_id}", &r);
    let r = env.demo("POST", "/request-logs/stop", None).await;
    c.check("POST", "/request-logs/stop", &r);

    // Resolve.
    let r = env
        .demo(
            "POST",
            "/resolve",
            Some(json!({"path": "g/llm/v1/chat/completions", "gateway": "api"})),
        )
        .await;
    c.check("POST", "/resolve", &r);

    // Files.
    let r = env
        .demo(
            "POST",
            "/files/upload",
            Some(json!({"filename": "a.txt", "size": 5, "path": "docs"})),
        )
        .await;
    c.check("POST", "/files/upload", &r);
    let up = r.body["url"].as_str().unwrap_or_default().to_string();
    let stored = env
        .http
        .put(&up)
        .body("hello")
        .send()
        .await
        .map(|r| r.status().as_u16());
    assert_eq!(stored.ok(), Some(204));
    let r = env.demo("GET", "/files/list?path=docs/", None).await;
    c.check("GET", "/files/list", &r);
    let r = env
        .demo("GET", "/files/download?key=docs/a.txt", None)
        .await;
    c.check("GET", "/files/download", &r);

    // Chains.
    let step = json!({"name": "first", "target_path": format!("p/{s1}"), "sort_order": 0});
    let r = env
        .demo(
            "POST",
            "/chains/",
            Some(json!({"name": "fallbacks", "steps": [step]})),
        )
        .await;
    c.check("POST", "/chains/", &r);
    let ch = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = env.demo("GET", "/chains/", None).await;
    c.check("GET", "/chains/", &r);
    let r = env.demo("GET", &format!("/chains/{ch}"), None).await;
    c.check("GET", "/chains/{chain_id}", &r);
    let r = env
        .demo(
            "PATCH",
            &format!("/chains/{ch}"),
            Some(json!({"enabled": false})),
        )
        .await;
    c.check("PATCH", "/chains/{chain_id}", &r);
    let r = env
        .demo("PUT", &format!("/chains/{ch}/steps"), Some(json!([step])))
        .await;
    c.check("PUT", "/chains/{chain_id}/steps", &r);
    let step2 = json!({"name": "second", "target_path": format!("p/{s2}"), "sort_order": 1});
    let r = env
        .demo("POST", &format!("/chains/{ch}/steps"), Some(step2))
        .await;
    c.check("POST", "/chains/{chain_id}/steps", &r);
    let st = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = env
        .demo(
            "PATCH",
            &format!("/chains/{ch}/steps/{st}"),
            Some(json!({"timeout_ms": 500})),
        )
        .await;
    c.check("PATCH", "/chains/{chain_id}/steps/{step_id}", &r);
    let r = env
        .demo("DELETE", &format!("/chains/{ch}/steps/{st}"), None)
        .await;
    c.check("DELETE", "/chains/{chain_id}/steps/{step_id}", &r);
    let r = env.demo("DELETE", &format!("/chains/{ch}"), None).await;
    c.check("DELETE", "/chains/{chain_id}", &r);

    // Broadcasts.
    let target = json!({"name": "a", "target_path": format!("p/{s1}")});
    let r = env
        .demo(
            "POST",
            "/broadcasts/",
            Some(json!({"name": "fanout", "targets": [target]})),
        )
        .await;
    c.check("POST", "/broadcasts/", &r);
    let b = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = env.demo("GET", "/broadcasts/", None).await;
    c.check("GET", "/broadcasts/", &r);
    let r = env.demo("GET", &format!("/broadcasts/{b}"), None).await;
    c.check("GET", "/broadcasts/{broadcast_id}", &r);
    let r = env
        .demo(
            "PATCH",
            &format!("/broadcasts/{b}"),
            Some(json!({"mode": "async"})),
        )
        .await;
    c.check("PATCH", "/broadcasts/{broadcast_id}", &r);
    let r = env
        .demo(
            "PUT",
            &format!("/broadcasts/{b}/targets"),
            Some(json!([target])),
        )
        .await;
    c.check("PUT", "/broadcasts/{broadcast_id}/targets", &r);
    let r = env
        .demo(
            "POST",
            &format!("/broadcasts/{b}/targets"),
            Some(json!({"name": "b", "target_path": format!("p/{s2}")})),
        )
        .await;
    c.check("POST", "/broadcasts/{broadcast_id}/targets", &r);
    let t = r.body["id"].as_str().unwrap_or_default().to_string();
    let r = env
        .demo("DELETE", &format!("/broadcasts/{b}/targets/{t}"), None)
        .await;
    c.check(
        "DELETE",
        "/broadcasts/{broadcast_id}/targets/{target_id}",
        &r,
    );
    let r = env.demo("DELETE", &format!("/broadcasts/{b}"), None).await;
    c.check("DELETE", "/broadcasts/{broadcast_id}", &r);
}

#[tokio::test]
async fn every_operation_matches_its_response_schema() {
    let Some(spec) = common::load_spec() else {
        return;
    };
    let total: usize = spec["paths"]
        .as_object()
        .map(|p| {
            p.values()
                .map(|ops| ops.as_object().map_or(0, |o| o.len()))
                .sum()
        })
        .unwrap_or(0);
    let env = start().await;
    let mut c = Checker {
        spec,
        covered: BTreeSet::new(),
        failures: Vec::new(),
    };
    // The checker must be able to fail, or a green run proves nothing.
    let bogus = Reply {
        status: 200,
        headers: Default::default(),
        body: json!({"id": "not-a-uuid"}),
        text: String::new(),
    };
    c.check("GET", "/services/{service_id}", &bogus);
    assert_eq!(
        c.failures.len(),
        1,
        "validator accepted an invalid ServiceDetail"
    );
    c.failures.clear();
    c.covered.clear();
    run(&env, &mut c).await;
    println!("operations covered: {} of {total}", c.covered.len());
    assert!(
        c.failures.is_empty(),
        "schema failures:\n{}",
        c.failures.join("\n")
    );
    assert_eq!(c.covered.len(), 61);
    assert_eq!(total, 61);
}
